import type { MigrationInterface, QueryRunner } from 'typeorm';

// The shared store of the throttles (login attempts, API rate limits): one fixed-window counter per key.
// UNLOGGED: no WAL for a row written on every request; the counters survive restarts of the API and
// clean restarts of PostgreSQL, and are emptied only by a database crash (which errs toward letting users in).
export class CreateThrottleCounters1796154184309 implements MigrationInterface {
  name = 'CreateThrottleCounters1796154184309';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "throttle_counters" ("key" character varying(200) NOT NULL, "hits" integer NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0d6e00f6811746d8c018db8d58d" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_throttle_counters_expires_at" ON "throttle_counters" ("expires_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_throttle_counters_expires_at"`);
    await queryRunner.query(`DROP TABLE "throttle_counters"`);
  }
}
