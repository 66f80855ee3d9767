import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateFollowUpsComplications1795911740449 implements MigrationInterface {
  name = 'CreateFollowUpsComplications1795911740449';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "follow_ups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "visit_date" date NOT NULL, "day" integer NOT NULL, "timepoint" character varying(16) NOT NULL, "contact_mode" character varying(32) NOT NULL, "snapping" character varying(16), "groin_pain" double precision, "hip_flexion_strength" smallint, "returned_to_sport" character varying(16), "satisfaction" smallint, "deleted_at" TIMESTAMP WITH TIME ZONE, "deleted_by" uuid, "delete_reason" text, "version" integer NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_follow_ups_satisfaction" CHECK ("satisfaction" IS NULL OR ("satisfaction" BETWEEN 0 AND 10)), CONSTRAINT "CHK_follow_ups_strength" CHECK ("hip_flexion_strength" IS NULL OR ("hip_flexion_strength" BETWEEN 0 AND 5)), CONSTRAINT "CHK_follow_ups_groin_pain" CHECK ("groin_pain" IS NULL OR ("groin_pain" >= 0 AND "groin_pain" <= 10)), CONSTRAINT "CHK_follow_ups_returned_to_sport" CHECK ("returned_to_sport" IS NULL OR "returned_to_sport" IN ('yes', 'no', 'not_applicable')), CONSTRAINT "CHK_follow_ups_snapping" CHECK ("snapping" IS NULL OR "snapping" IN ('none', 'painless', 'painful')), CONSTRAINT "CHK_follow_ups_contact_mode" CHECK ("contact_mode" IN ('clinic', 'telephone', 'remote_questionnaire')), CONSTRAINT "CHK_follow_ups_timepoint" CHECK ("timepoint" IN ('preop', '6w', '3m', '6m', '1y', '2y', '5y', 'unscheduled')), CONSTRAINT "PK_d510aabdff2ec7fdc67a1092157" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_follow_ups_case" ON "follow_ups"  ("case_id", "timepoint", "day") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "complications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "type" character varying(32) NOT NULL, "onset_date" date NOT NULL, "brooker_grade" smallint, "recurrence_cause" character varying(32), "sink_grade" smallint NOT NULL, "clavien_dindo" character varying(8), "reoperation_date" date, "reoperation_procedure" character varying(32), "resolved_date" date, "follow_up_id" uuid, "description" text, "deleted_at" TIMESTAMP WITH TIME ZONE, "deleted_by" uuid, "delete_reason" text, "version" integer NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_complications_reoperation" CHECK (("reoperation_date" IS NULL) = ("reoperation_procedure" IS NULL) AND ("reoperation_date" IS NULL OR ("reoperation_date" >= "onset_date" AND "sink_grade" >= 3))), CONSTRAINT "CHK_complications_sink" CHECK ("sink_grade" BETWEEN 1 AND 5), CONSTRAINT "CHK_complications_cause_iff_recurrence" CHECK (("type" = 'recurrent_snapping') = ("recurrence_cause" IS NOT NULL)), CONSTRAINT "CHK_complications_brooker_iff_ho" CHECK (("type" = 'heterotopic_ossification') = ("brooker_grade" IS NOT NULL) AND ("brooker_grade" IS NULL OR "brooker_grade" BETWEEN 1 AND 4)), CONSTRAINT "CHK_complications_reoperation_procedure" CHECK ("reoperation_procedure" IS NULL OR "reoperation_procedure" IN ('revision_release', 'revision_arthroscopy', 'ho_excision', 'washout', 'total_hip_arthroplasty', 'other')), CONSTRAINT "CHK_complications_clavien_dindo" CHECK ("clavien_dindo" IS NULL OR "clavien_dindo" IN ('I', 'II', 'IIIa', 'IIIb', 'IVa', 'IVb', 'V')), CONSTRAINT "CHK_complications_recurrence_cause" CHECK ("recurrence_cause" IS NULL OR "recurrence_cause" IN ('incomplete_release', 'untreated_bony_abnormality', 'bifid_tendon', 'unknown')), CONSTRAINT "CHK_complications_type" CHECK ("type" IN ('heterotopic_ossification', 'recurrent_snapping', 'persistent_groin_pain', 'hip_flexor_weakness', 'lfcn_neuropraxia', 'pudendal_neuropraxia', 'femoral_nerve_palsy', 'sciatic_nerve_palsy', 'deep_vein_thrombosis', 'pulmonary_embolism', 'superficial_infection', 'deep_infection', 'instability_dislocation', 'femoral_neck_fracture', 'conversion_to_arthroplasty', 'other')), CONSTRAINT "PK_7caa595264b98107541530abb69" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_complications_case" ON "complications"  ("case_id", "type") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "prom_responses" ("follow_up_id" uuid NOT NULL, "instrument" character varying(16) NOT NULL, "items" jsonb NOT NULL, "score" double precision, "raw" double precision, "answered" smallint NOT NULL, "unscored_reason" text, "scoring_version" character varying(32) NOT NULL, CONSTRAINT "CHK_prom_responses_score" CHECK ("score" IS NULL OR ("score" >= 0 AND "score" <= 100)), CONSTRAINT "CHK_prom_responses_instrument" CHECK ("instrument" IN ('mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs', 'eq5d5l')), CONSTRAINT "PK_93f00757ffdecf6847bc12ebb38" PRIMARY KEY ("follow_up_id", "instrument"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_prom_responses_instrument" ON "prom_responses"  ("instrument", "follow_up_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "prom_thresholds" ("instrument" character varying(16) NOT NULL, "timepoint" character varying(16) NOT NULL, "mcid" double precision NOT NULL, "pass" double precision NOT NULL, "source" text NOT NULL, "version" character varying(32) NOT NULL, CONSTRAINT "PK_9e5be7ee96a1539c70f874635e1" PRIMARY KEY ("instrument", "timepoint"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "follow_ups" ADD CONSTRAINT "FK_e1e0b837f09966486388cd9b94c" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "complications" ADD CONSTRAINT "FK_159d5bfe3adba55c3500c6c8242" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "complications" ADD CONSTRAINT "FK_a38160c06e781b09a46512da9b0" FOREIGN KEY ("follow_up_id") REFERENCES "follow_ups"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prom_responses" ADD CONSTRAINT "FK_0ec116675d66284011dbc6a8cd5" FOREIGN KEY ("follow_up_id") REFERENCES "follow_ups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Hand-written: the reference thresholds of DOMAIN.md § PROMs, as data (values copied here, not
    // imported, so that this migration means the same thing forever). NAHS has none in this set.
    await queryRunner.query(`
      INSERT INTO prom_thresholds (instrument, timepoint, mcid, pass, source, version) VALUES
        ('mhhs', '1y', 6.9, 84.8, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('mhhs', '2y', 9.2, 83.3, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('mhhs', '5y', 11.4, 83.6, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('ihot12', '1y', 15.1, 69.1, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('ihot12', '2y', 13.9, 72.2, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('ihot12', '5y', 15.1, 74.3, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('hosAdl', '1y', 8.8, 89.7, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('hosAdl', '2y', 9.7, 88.2, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('hosAdl', '5y', 10.2, 99.2, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('hosSport', '1y', 13.9, 72.2, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('hosSport', '2y', 14.3, 76.4, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020'),
        ('hosSport', '5y', 15.2, 80.9, 'Am J Sports Med 2020, doi:10.1177/0363546520902736', 'ajsm-2020')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "prom_responses" DROP CONSTRAINT "FK_0ec116675d66284011dbc6a8cd5"`);
    await queryRunner.query(`ALTER TABLE "complications" DROP CONSTRAINT "FK_a38160c06e781b09a46512da9b0"`);
    await queryRunner.query(`ALTER TABLE "complications" DROP CONSTRAINT "FK_159d5bfe3adba55c3500c6c8242"`);
    await queryRunner.query(`ALTER TABLE "follow_ups" DROP CONSTRAINT "FK_e1e0b837f09966486388cd9b94c"`);
    await queryRunner.query(`DROP TABLE "prom_thresholds"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_prom_responses_instrument"`);
    await queryRunner.query(`DROP TABLE "prom_responses"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_complications_case"`);
    await queryRunner.query(`DROP TABLE "complications"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_follow_ups_case"`);
    await queryRunner.query(`DROP TABLE "follow_ups"`);
  }
}
