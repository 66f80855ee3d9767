import type { MigrationInterface, QueryRunner } from 'typeorm';

// Two gaps in the audit chain of CreatePatientsCasesAudit:
// - Its hashed form joined the fields with '|', so text could move between `reason` and
//   `correlation_id` (or any neighbours) without changing the hash, and `actor_system` (added
//   later) was not hashed at all. Chain version 2 hashes canonical JSON of every field
//   (jsonb_build_array(...)::text: each value quoted and escaped, NULL distinct from ''), with the
//   version itself first. Rows written before this migration keep chain_version 1 and verify as
//   before; every row from here on is version 2, and a version-1 row after a version-2 row is
//   itself reported.
// - Removing the newest events left a chain that still verified. A statement-level trigger now
//   records the head (last id and hash) of every inserted batch in audit_checkpoints, an
//   append-only table the service may only read; audit_events_verify() reports every checkpoint
//   whose event is missing or differs, and events after the last checkpoint.
export class AuditChainV2Checkpoints1796155454400 implements MigrationInterface {
  name = 'AuditChainV2Checkpoints1796155454400';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Existing rows are version 1; the trigger writes 2 from now on.
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "chain_version" smallint NOT NULL DEFAULT 1`);
    await queryRunner.query(`ALTER TABLE "audit_events" ALTER COLUMN "chain_version" SET DEFAULT 2`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "CHK_audit_events_chain_version" CHECK ("chain_version" IN (1, 2))`,
    );
    await queryRunner.query(`
      CREATE FUNCTION audit_event_canonical_v2(e audit_events) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT jsonb_build_array(2, e.id::text, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          e.actor_id::text, e.actor_system, e.action, e.entity_type, e.entity_id::text, e.case_id::text,
          e.changes, e.details, e.reason, e.correlation_id)::text
      $$`);
    // The hash of a row given its predecessor's hash, by the row's chain version.
    await queryRunner.query(`
      CREATE FUNCTION audit_event_digest(prev text, e audit_events) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT CASE e.chain_version
          WHEN 1 THEN encode(sha256(convert_to(prev || '|' || audit_event_canonical(e), 'UTF8')), 'hex')
          WHEN 2 THEN encode(sha256(convert_to(prev || audit_event_canonical_v2(e), 'UTF8')), 'hex')
        END
      $$`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        previous text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('ilr:audit_events'));
        NEW.id := nextval('audit_events_id_seq');
        NEW.chain_version := 2;
        SELECT hash INTO previous FROM audit_events ORDER BY id DESC LIMIT 1;
        NEW.prev_hash := coalesce(previous, repeat('0', 64));
        NEW.hash := audit_event_digest(NEW.prev_hash, NEW);
        RETURN NEW;
      END
      $$`);

    await queryRunner.query(
      `CREATE TABLE "audit_checkpoints" ("event_id" bigint NOT NULL, "hash" character(64) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0c68739d8d013a4ec23454fe3a2" PRIMARY KEY ("event_id"))`,
    );
    // Runs as the table owner (SECURITY DEFINER), so the service's role needs no INSERT on the
    // checkpoints and cannot write one of its own.
    await queryRunner.query(`
      CREATE FUNCTION audit_events_checkpoint() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        INSERT INTO public.audit_checkpoints (event_id, hash, at)
        SELECT id, hash, date_trunc('milliseconds', clock_timestamp()) FROM inserted ORDER BY id DESC LIMIT 1;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`REVOKE EXECUTE ON FUNCTION audit_events_checkpoint() FROM PUBLIC, ilr_app`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_checkpoint" AFTER INSERT ON "audit_events" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION audit_events_checkpoint()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION audit_append_only() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_checkpoints_no_update" BEFORE UPDATE OR DELETE ON "audit_checkpoints" FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_checkpoints_no_truncate" BEFORE TRUNCATE ON "audit_checkpoints" FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
    );
    await queryRunner.query(`REVOKE ALL ON "audit_checkpoints" FROM PUBLIC, ilr_app`);
    await queryRunner.query(`GRANT SELECT ON "audit_checkpoints" TO ilr_app`);
    // The head as it is now, so that removing any event written before this migration shows too.
    await queryRunner.query(
      `INSERT INTO "audit_checkpoints" (event_id, hash, at) SELECT id, hash, date_trunc('milliseconds', clock_timestamp()) FROM "audit_events" ORDER BY id DESC LIMIT 1`,
    );

    // Every row re-hashed from the row before it by its own version; a version that goes back; every
    // checkpoint whose event is missing or has another hash; events after the last checkpoint
    // (written with the triggers off).
    await queryRunner.query(`DROP FUNCTION audit_events_verify()`);
    await queryRunner.query(`
      CREATE FUNCTION audit_events_verify() RETURNS TABLE (broken_id bigint, expected text, stored text, problem text)
      LANGUAGE sql STABLE AS $$
        WITH chain AS (
          SELECT e.id, e.hash::text AS stored, e.chain_version,
                 audit_event_digest(coalesce(lag(e.hash) OVER w, repeat('0', 64)), e) AS expected,
                 max(e.chain_version) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_version
          FROM audit_events e
          WINDOW w AS (ORDER BY e.id)
        ), last_checkpoint AS (
          SELECT max(event_id) AS event_id FROM audit_checkpoints
        )
        SELECT id, expected, stored, 'hash_mismatch' FROM chain WHERE expected IS DISTINCT FROM stored
        UNION ALL
        SELECT id, NULL, chain_version::text, 'chain_version_regressed' FROM chain WHERE chain_version < earlier_version
        UNION ALL
        SELECT c.event_id, c.hash::text, e.hash::text,
               CASE WHEN e.id IS NULL THEN 'checkpointed_event_missing' ELSE 'checkpoint_mismatch' END
        FROM audit_checkpoints c LEFT JOIN audit_events e ON e.id = c.event_id
        WHERE e.id IS NULL OR e.hash <> c.hash
        UNION ALL
        SELECT chain.id, NULL, chain.stored, 'not_checkpointed'
        FROM chain, last_checkpoint WHERE chain.id > coalesce(last_checkpoint.event_id, 0)
        ORDER BY 1, 4
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ n }] = await queryRunner.query(`SELECT count(*)::int AS n FROM "audit_events" WHERE "chain_version" = 2`);
    if (n > 0) {
      throw new Error(
        `${n} audit events are hashed with chain version 2: reverting AuditChainV2Checkpoints would leave them unverifiable`,
      );
    }
    await queryRunner.query(`DROP FUNCTION audit_events_verify()`);
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
    await queryRunner.query(`DROP TRIGGER "audit_checkpoints_no_truncate" ON "audit_checkpoints"`);
    await queryRunner.query(`DROP TRIGGER "audit_checkpoints_no_update" ON "audit_checkpoints"`);
    await queryRunner.query(`DROP FUNCTION audit_append_only()`);
    await queryRunner.query(`DROP TRIGGER "audit_events_checkpoint" ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION audit_events_checkpoint()`);
    await queryRunner.query(`DROP TABLE "audit_checkpoints"`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger
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
    await queryRunner.query(`DROP FUNCTION audit_event_digest(text, audit_events)`);
    await queryRunner.query(`DROP FUNCTION audit_event_canonical_v2(audit_events)`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "CHK_audit_events_chain_version"`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "chain_version"`);
  }
}
