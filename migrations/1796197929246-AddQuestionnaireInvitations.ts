import type { MigrationInterface, QueryRunner } from 'typeorm';

// Patient-reported follow-ups (step 12): patients' email (encrypted like the MRN) and invitation preference,
// one invitation per case and timepoint with its state, and the links' hashed tokens. A visit the patient
// answered has no user as its creator (created_by null, allowed only for remote questionnaires).
export class AddQuestionnaireInvitations1796197929246 implements MigrationInterface {
  name = 'AddQuestionnaireInvitations1796197929246';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "questionnaire_invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "timepoint" character varying(8) NOT NULL, "opens_on" date NOT NULL, "closes_on" date NOT NULL, "status" character varying(16) NOT NULL, "status_reason" character varying(64), "instruments" text array NOT NULL, "first_sent_on" date, "first_sent_at" TIMESTAMP WITH TIME ZONE, "last_sent_at" TIMESTAMP WITH TIME ZONE, "reminders_sent" smallint NOT NULL DEFAULT '0', "mails_sent" smallint NOT NULL DEFAULT '0', "opened_at" TIMESTAMP WITH TIME ZONE, "answered_at" TIMESTAMP WITH TIME ZONE, "follow_up_id" uuid, "progress" jsonb, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_questionnaire_invitations_case_timepoint" UNIQUE ("case_id", "timepoint"), CONSTRAINT "CHK_questionnaire_invitations_reminders" CHECK ("reminders_sent" BETWEEN 0 AND 10), CONSTRAINT "CHK_questionnaire_invitations_status" CHECK ("status" IN ('scheduled', 'sent', 'reminded', 'answered', 'expired', 'declined', 'bounced', 'cancelled')), CONSTRAINT "CHK_questionnaire_invitations_timepoint" CHECK ("timepoint" IN ('6w', '3m', '6m', '1y', '2y', '5y')), CONSTRAINT "PK_bdc48b8a3d8f4fcedcb39d062fd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_questionnaire_invitations_open" ON "questionnaire_invitations"  ("status", "closes_on") WHERE "status" IN ('scheduled', 'sent', 'reminded')`,
    );
    await queryRunner.query(
      `CREATE TABLE "questionnaire_tokens" ("token_hash" character(64) NOT NULL, "invitation_id" uuid NOT NULL, "purpose" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_questionnaire_tokens_purpose" CHECK ("purpose" IN ('answer', 'unsubscribe')), CONSTRAINT "PK_4a170e57cd414d4dc7cab708b9c" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_questionnaire_tokens_invitation" ON "questionnaire_tokens"  ("invitation_id") `,
    );
    await queryRunner.query(`ALTER TABLE "patients" ADD "email_ciphertext" bytea`);
    await queryRunner.query(
      `ALTER TABLE "patients" ADD "prom_invitations" character varying(16) NOT NULL DEFAULT 'allowed'`,
    );
    await queryRunner.query(`ALTER TABLE "follow_ups" ALTER COLUMN "created_by" DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "follow_ups" ADD CONSTRAINT "CHK_follow_ups_creator" CHECK ("created_by" IS NOT NULL OR "contact_mode" = 'remote_questionnaire')`,
    );
    await queryRunner.query(
      `ALTER TABLE "patients" ADD CONSTRAINT "CHK_patients_prom_invitations" CHECK ("prom_invitations" IN ('allowed', 'declined'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "questionnaire_invitations" ADD CONSTRAINT "FK_2ff753d5ce8c640c67a6ff89771" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "questionnaire_invitations" ADD CONSTRAINT "FK_3b8f869521436959b56e34566cb" FOREIGN KEY ("follow_up_id") REFERENCES "follow_ups"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "questionnaire_tokens" ADD CONSTRAINT "FK_01279cd18c53adbeac254c112a9" FOREIGN KEY ("invitation_id") REFERENCES "questionnaire_invitations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "questionnaire_tokens" DROP CONSTRAINT "FK_01279cd18c53adbeac254c112a9"`);
    await queryRunner.query(`ALTER TABLE "questionnaire_invitations" DROP CONSTRAINT "FK_3b8f869521436959b56e34566cb"`);
    await queryRunner.query(`ALTER TABLE "questionnaire_invitations" DROP CONSTRAINT "FK_2ff753d5ce8c640c67a6ff89771"`);
    await queryRunner.query(`ALTER TABLE "patients" DROP CONSTRAINT "CHK_patients_prom_invitations"`);
    await queryRunner.query(`ALTER TABLE "follow_ups" DROP CONSTRAINT "CHK_follow_ups_creator"`);
    // Fails while patient-answered visits exist: they have no user to name.
    await queryRunner.query(`ALTER TABLE "follow_ups" ALTER COLUMN "created_by" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "patients" DROP COLUMN "prom_invitations"`);
    await queryRunner.query(`ALTER TABLE "patients" DROP COLUMN "email_ciphertext"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_questionnaire_tokens_invitation"`);
    await queryRunner.query(`DROP TABLE "questionnaire_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_questionnaire_invitations_open"`);
    await queryRunner.query(`DROP TABLE "questionnaire_invitations"`);
  }
}
