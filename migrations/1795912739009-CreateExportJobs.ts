import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateExportJobs1795912739009 implements MigrationInterface {
  name = 'CreateExportJobs1795912739009';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "export_jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "requested_by" uuid NOT NULL, "dataset" character varying(32) NOT NULL, "format" character varying(16) NOT NULL, "filters" jsonb NOT NULL, "identified" boolean NOT NULL, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL, "rows_written" integer, "rows_total" integer, "sha256" character(64), "file_name" character varying(200), "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "correlation_id" character varying(64), CONSTRAINT "CHK_export_jobs_status" CHECK ("status" IN ('queued', 'running', 'done', 'failed')), CONSTRAINT "PK_3044ce6f1c6af24058ee609e063" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_export_jobs_queue" ON "export_jobs"  ("status", "created_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_export_jobs_queue"`);
    await queryRunner.query(`DROP TABLE "export_jobs"`);
  }
}
