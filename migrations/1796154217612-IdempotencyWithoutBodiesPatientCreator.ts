import type { MigrationInterface, QueryRunner } from 'typeorm';

// Idempotency records keep only what a replay needs (status and the created record's id): the
// stored response bodies held MRNs and birth dates in clear. Existing rows keep their record id and
// lose the body. Patients remember who registered them, so that the creator may see the patient.
export class IdempotencyWithoutBodiesPatientCreator1796154217612 implements MigrationInterface {
  name = 'IdempotencyWithoutBodiesPatientCreator1796154217612';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "resource_id" uuid`);
    await queryRunner.query(
      `UPDATE "idempotency_keys" SET "resource_id" = ("response_body"->>'id')::uuid
       WHERE "response_body"->>'id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`,
    );
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "response_body"`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "response_headers"`);
    await queryRunner.query(`ALTER TABLE "patients" ADD "created_by" uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "patients" DROP COLUMN "created_by"`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "response_headers" jsonb`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "response_body" jsonb`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "resource_id"`);
  }
}
