import type { MigrationInterface, QueryRunner } from 'typeorm';

// CSV imports (step 11): a job per uploaded file with its progress and lease, and the rejected rows'
// problems. An import may keep a file's registry codes (ILR-000123) and then moves the code sequence past
// them, which needs UPDATE on the sequence (setval); nextval needed only USAGE.
export class CreateImportJobs1796185647240 implements MigrationInterface {
  name = 'CreateImportJobs1796185647240';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "import_jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "requested_by" uuid NOT NULL, "dataset" character varying(32) NOT NULL, "mode" character varying(16) NOT NULL, "on_error" character varying(16) NOT NULL, "surgeon_id" uuid, "status" character varying(16) NOT NULL, "file_name" character varying(200), "bytes" bigint NOT NULL, "sha256" character(64) NOT NULL, "rows_read" integer NOT NULL DEFAULT '0', "accepted" integer NOT NULL DEFAULT '0', "rejected" integer NOT NULL DEFAULT '0', "created" integer NOT NULL DEFAULT '0', "unchanged" integer NOT NULL DEFAULT '0', "conflicts" integer NOT NULL DEFAULT '0', "error_count" integer NOT NULL DEFAULT '0', "error" text, "claimed_by" character varying(200), "lease_expires_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "correlation_id" character varying(64), CONSTRAINT "CHK_import_jobs_on_error" CHECK ("on_error" IN ('reject_all', 'skip_invalid')), CONSTRAINT "CHK_import_jobs_mode" CHECK ("mode" IN ('validate', 'commit')), CONSTRAINT "CHK_import_jobs_dataset" CHECK ("dataset" IN ('cases', 'follow-ups', 'complications')), CONSTRAINT "CHK_import_jobs_status" CHECK ("status" IN ('running', 'validated', 'committed', 'rejected', 'failed')), CONSTRAINT "PK_4d206c602f173f98e4bb85819a3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_import_jobs_running" ON "import_jobs"  ("lease_expires_at") WHERE "status" = 'running'`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_import_jobs_created" ON "import_jobs"  ("created_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_import_jobs_requested_by" ON "import_jobs"  ("requested_by", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "import_errors" ("import_id" uuid NOT NULL, "seq" integer NOT NULL, "line" integer NOT NULL, "column" character varying(100), "code" character varying(64) NOT NULL, "message" text NOT NULL, CONSTRAINT "PK_4f2123aa4b9f189894f6eaae6e0" PRIMARY KEY ("import_id", "seq"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "import_errors" ADD CONSTRAINT "FK_9926b1b4a42a17f2792b7852176" FOREIGN KEY ("import_id") REFERENCES "import_jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`GRANT UPDATE ON SEQUENCE "case_registry_code_seq" TO ilr_app`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`REVOKE UPDATE ON SEQUENCE "case_registry_code_seq" FROM ilr_app`);
    await queryRunner.query(`ALTER TABLE "import_errors" DROP CONSTRAINT "FK_9926b1b4a42a17f2792b7852176"`);
    await queryRunner.query(`DROP TABLE "import_errors"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_import_jobs_requested_by"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_import_jobs_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_import_jobs_running"`);
    await queryRunner.query(`DROP TABLE "import_jobs"`);
  }
}
