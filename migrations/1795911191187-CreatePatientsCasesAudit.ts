import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePatientsCasesAudit1795911191187 implements MigrationInterface {
  name = 'CreatePatientsCasesAudit1795911191187';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" bigint NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_id" uuid, "action" character varying(32) NOT NULL, "entity_type" character varying(32) NOT NULL, "entity_id" uuid, "case_id" uuid, "changes" jsonb NOT NULL, "details" jsonb, "reason" text, "correlation_id" character varying(64), "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_entity" ON "audit_events"  ("entity_type", "entity_id", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_case" ON "audit_events"  ("case_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "patients" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "mrn_ciphertext" bytea NOT NULL, "mrn_hash" character(64) NOT NULL, "birth_date" date NOT NULL, "sex" character varying(16) NOT NULL, "consent" character varying(16) NOT NULL, "deceased_date" date, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_d7a0e8755ccb047e830dc795dbb" UNIQUE ("mrn_hash"), CONSTRAINT "CHK_patients_consent" CHECK ("consent" IN ('given', 'declined', 'withdrawn')), CONSTRAINT "CHK_patients_sex" CHECK ("sex" IN ('female', 'male', 'other', 'unknown')), CONSTRAINT "PK_a7f0b9fcbb3469d5ec0b0aceaa7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "cases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "registry_code" character varying(16) NOT NULL, "patient_id" uuid NOT NULL, "surgeon_id" uuid NOT NULL, "status" character varying(8) NOT NULL, "surgery_date" date NOT NULL, "side" character varying(8) NOT NULL, "indications" text array NOT NULL, "prior_ipsilateral_surgery" text array NOT NULL, "injection_performed" boolean NOT NULL, "injection_response" character varying(32), "symptom_duration_months" integer, "conservative_treatment" text array NOT NULL, "exam_snapping_reproduced" boolean, "activity_level" character varying(32), "height_cm" double precision, "weight_kg" double precision, "imaging_alpha_angle" double precision, "imaging_lcea" double precision, "imaging_tonnis_grade" smallint, "imaging_dynamic_us_snapping" boolean, "imaging_bifid_tendon_on_mri" boolean, "anesthesia" character varying(32) NOT NULL, "positioning" character varying(16) NOT NULL, "traction_minutes" integer NOT NULL, "operative_minutes" integer NOT NULL, "portals" text array NOT NULL, "portals_other" character varying(200), "capsulotomy" character varying(16) NOT NULL, "capsular_closure" boolean NOT NULL, "findings_labral_tear" boolean NOT NULL, "findings_anterior_labral_lesion_at_psoas" boolean NOT NULL, "findings_cam" boolean NOT NULL, "findings_pincer" boolean NOT NULL, "findings_acetabular_icrs" smallint, "findings_femoral_icrs" smallint, "release_location" character varying(32) NOT NULL, "release_capsular_level" character varying(32), "release_technique" character varying(32) NOT NULL, "release_tendon_bundles" smallint NOT NULL, "release_all_bundles_released" boolean, "impingement_performed" boolean NOT NULL, "impingement_procedures" text array NOT NULL, "ho_prophylaxis" character varying(16) NOT NULL, "intraoperative_events" text array NOT NULL, "notes" text, "signed_at" TIMESTAMP WITH TIME ZONE, "signed_by" uuid, "deleted_at" TIMESTAMP WITH TIME ZONE, "deleted_by" uuid, "delete_reason" text, "version" integer NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_8f1d915e3cd409ab10a08044534" UNIQUE ("registry_code"), CONSTRAINT "CHK_cases_signed" CHECK (("status" = 'signed') = ("signed_at" IS NOT NULL)), CONSTRAINT "CHK_cases_closure" CHECK (NOT ("capsulotomy" = 'none' AND "capsular_closure")), CONSTRAINT "CHK_cases_capsular_level_iff" CHECK (("release_location" = 'capsular') = ("release_capsular_level" IS NOT NULL)), CONSTRAINT "CHK_cases_minutes" CHECK ("operative_minutes" >= "traction_minutes"), CONSTRAINT "CHK_cases_intraoperative_events" CHECK ("intraoperative_events" <@ ARRAY['iatrogenic_chondral_injury', 'iatrogenic_labral_injury', 'instrument_breakage', 'fluid_extravasation', 'conversion_to_open']::text[]), CONSTRAINT "CHK_cases_ho_prophylaxis" CHECK ("ho_prophylaxis" IN ('none', 'nsaid', 'radiotherapy')), CONSTRAINT "CHK_cases_impingement_procedures" CHECK ("impingement_procedures" <@ ARRAY['labral_repair', 'labral_debridement', 'labral_reconstruction', 'femoral_osteochondroplasty', 'acetabular_rim_trimming', 'chondroplasty', 'microfracture', 'ligamentum_teres_debridement', 'loose_body_removal', 'synovectomy', 'other']::text[]), CONSTRAINT "CHK_cases_release_technique" CHECK ("release_technique" IN ('fractional_lengthening', 'complete_tenotomy')), CONSTRAINT "CHK_cases_capsular_level" CHECK ("release_capsular_level" IS NULL OR "release_capsular_level" IN ('central_compartment', 'peripheral_compartment')), CONSTRAINT "CHK_cases_release_location" CHECK ("release_location" IN ('capsular', 'lesser_trochanter')), CONSTRAINT "CHK_cases_capsulotomy" CHECK ("capsulotomy" IN ('none', 'interportal', 't_capsulotomy', 'periportal')), CONSTRAINT "CHK_cases_portals" CHECK ("portals" <@ ARRAY['anterolateral', 'mid_anterior', 'anterior', 'posterolateral', 'distal_anterolateral_accessory', 'proximal_anterolateral_accessory', 'trochanteric_superior_accessory', 'trochanteric_inferior_accessory', 'other']::text[] AND cardinality("portals") >= 1), CONSTRAINT "CHK_cases_positioning" CHECK ("positioning" IN ('supine', 'lateral')), CONSTRAINT "CHK_cases_anesthesia" CHECK ("anesthesia" IN ('general', 'regional', 'general_and_regional')), CONSTRAINT "CHK_cases_activity_level" CHECK ("activity_level" IS NULL OR "activity_level" IN ('sedentary', 'recreational', 'competitive_athlete')), CONSTRAINT "CHK_cases_conservative" CHECK ("conservative_treatment" <@ ARRAY['rest', 'analgesics', 'nsaids', 'physiotherapy', 'corticosteroid_injection']::text[]), CONSTRAINT "CHK_cases_injection_response" CHECK ("injection_response" IS NULL OR "injection_response" IN ('complete_relief', 'partial_relief', 'no_relief')), CONSTRAINT "CHK_cases_prior_surgery" CHECK ("prior_ipsilateral_surgery" <@ ARRAY['hip_arthroscopy', 'iliopsoas_release', 'periacetabular_osteotomy', 'total_hip_arthroplasty', 'other']::text[]), CONSTRAINT "CHK_cases_indications" CHECK ("indications" <@ ARRAY['internal_snapping_hip', 'iliopsoas_tendinopathy', 'iliopsoas_bursitis', 'iliopsoas_impingement']::text[] AND cardinality("indications") >= 1), CONSTRAINT "CHK_cases_status" CHECK ("status" IN ('draft', 'signed')), CONSTRAINT "CHK_cases_side" CHECK ("side" IN ('left', 'right')), CONSTRAINT "PK_264acb3048c240fb89aa34626db" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cases_side" ON "cases"  ("side", "surgery_date") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cases_status" ON "cases"  ("status", "surgery_date") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cases_impingement" ON "cases"  ("impingement_performed", "surgery_date") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cases_release_location" ON "cases"  ("release_location", "surgery_date") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_cases_patient" ON "cases"  ("patient_id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_cases_surgeon" ON "cases"  ("surgeon_id", "surgery_date") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cases_list" ON "cases"  ("surgery_date", "registry_code") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("user_id" uuid NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "response_status" integer, "response_body" jsonb, "response_headers" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_392b1af86f210d98d3f0c764728" PRIMARY KEY ("user_id", "key"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_keys_created" ON "idempotency_keys"  ("created_at") `);
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "FK_8c29bbd52f57311cd8c1f832076" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "FK_0219ff744140be854e94105da6b" FOREIGN KEY ("surgeon_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Hand-written below: what TypeORM does not model.

    // Registry codes come from a sequence: a value is never handed out twice, even when the
    // transaction that took it rolls back, so a code is never reused.
    await queryRunner.query(`CREATE SEQUENCE "case_registry_code_seq" AS bigint START 1`);
    // registryCode prefix search (GET /cases?q=ILR-0001) needs a pattern index under any collation.
    await queryRunner.query(
      `CREATE INDEX "IDX_cases_registry_code_prefix" ON "cases" ("registry_code" text_pattern_ops)`,
    );

    // The audit trail is append-only and tamper-evident, enforced in the database:
    // - BEFORE INSERT: take a transaction-scoped lock, number the row from a sequence (so ids follow
    //   chain order), and set hash = sha256(previous hash || the row's canonical text).
    // - UPDATE, DELETE and TRUNCATE raise, for every role (the owner included).
    await queryRunner.query(`CREATE SEQUENCE "audit_events_id_seq" AS bigint START 1`);
    await queryRunner.query(`
      CREATE FUNCTION audit_event_canonical(e audit_events) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT concat_ws('|', e.id::text, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          coalesce(e.actor_id::text, ''), e.action, e.entity_type, coalesce(e.entity_id::text, ''),
          coalesce(e.case_id::text, ''), e.changes::text, coalesce(e.details::text, ''),
          coalesce(e.reason, ''), coalesce(e.correlation_id, ''))
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION audit_events_chain() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        previous text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('ilr:audit_events'));
        NEW.id := nextval('audit_events_id_seq');
        SELECT hash INTO previous FROM audit_events ORDER BY id DESC LIMIT 1;
        NEW.prev_hash := coalesce(previous, repeat('0', 64));
        NEW.hash := encode(sha256(convert_to(NEW.prev_hash || '|' || audit_event_canonical(NEW), 'UTF8')), 'hex');
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_chain" BEFORE INSERT ON "audit_events" FOR EACH ROW EXECUTE FUNCTION audit_events_chain()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION audit_events_immutable() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_no_update" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION audit_events_immutable()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION audit_events_immutable()`,
    );
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "audit_events" FROM PUBLIC`);
    // Verification: recompute every hash from its predecessor in id order; returns the rows that
    // do not match (an edited row, or the row after a removed one).
    await queryRunner.query(`
      CREATE FUNCTION audit_events_verify() RETURNS TABLE (broken_id bigint, expected text, stored text)
      LANGUAGE sql STABLE AS $$
        SELECT id, expected, stored FROM (
          SELECT e.id,
                 encode(sha256(convert_to(coalesce(lag(e.hash) OVER (ORDER BY e.id), repeat('0', 64))
                   || '|' || audit_event_canonical(e), 'UTF8')), 'hex') AS expected,
                 e.hash AS stored
          FROM audit_events e
        ) recomputed
        WHERE expected <> stored
        ORDER BY id
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION IF EXISTS audit_events_verify()`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS "audit_events_no_truncate" ON "audit_events"`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS "audit_events_no_update" ON "audit_events"`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS "audit_events_chain" ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS audit_events_immutable()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS audit_events_chain()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS audit_event_canonical(audit_events)`);
    await queryRunner.query(`DROP SEQUENCE IF EXISTS "audit_events_id_seq"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_cases_registry_code_prefix"`);
    await queryRunner.query(`DROP SEQUENCE IF EXISTS "case_registry_code_seq"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_0219ff744140be854e94105da6b"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_8c29bbd52f57311cd8c1f832076"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_idempotency_keys_created"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cases_list"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cases_surgeon"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cases_patient"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cases_release_location"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cases_impingement"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cases_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cases_side"`);
    await queryRunner.query(`DROP TABLE "cases"`);
    await queryRunner.query(`DROP TABLE "patients"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_case"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_entity"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
