import type { MigrationInterface, QueryRunner } from 'typeorm';

// Named system actors (system:export-worker, …) write audit events in their own name instead of
// borrowing a user's: every event has either a user or a system actor.
export class AddAuditSystemActor1796153935456 implements MigrationInterface {
  name = 'AddAuditSystemActor1796153935456';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "actor_system" character varying(64)`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "CHK_audit_events_system_actor" CHECK ("actor_system" IS NULL OR ("actor_id" IS NULL AND "actor_system" LIKE 'system:%'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "CHK_audit_events_system_actor"`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "actor_system"`);
  }
}
