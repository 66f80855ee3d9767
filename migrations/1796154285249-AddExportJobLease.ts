import type { MigrationInterface, QueryRunner } from 'typeorm';

// Export jobs are leased: the worker that claimed a job (claimed_by, with its attempt number in
// `attempts`) renews lease_expires_at by heartbeat; another process takes a running job over only
// once that lease has expired. Existing running jobs have no lease, so they count as expired.
export class AddExportJobLease1796154285249 implements MigrationInterface {
  name = 'AddExportJobLease1796154285249';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "export_jobs" ADD "claimed_by" character varying(200)`);
    await queryRunner.query(`ALTER TABLE "export_jobs" ADD "lease_expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "export_jobs" ADD "heartbeat_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "export_jobs" DROP COLUMN "heartbeat_at"`);
    await queryRunner.query(`ALTER TABLE "export_jobs" DROP COLUMN "lease_expires_at"`);
    await queryRunner.query(`ALTER TABLE "export_jobs" DROP COLUMN "claimed_by"`);
  }
}
