import type { MigrationInterface, QueryRunner } from 'typeorm';

// The service's privileges, on a role it does not own the schema with. Migrations run as the schema
// owner; the service logs in as a member of ilr_app (NOLOGIN), which may read and write the tables
// but not alter them: on the audit trail it may only SELECT and INSERT, so it can neither disable
// the trail's triggers (only the owner may ALTER TABLE) nor update, delete or truncate rows.
// Tables, sequences and functions created later by the same owner get the same grants by default;
// a later append-only table revokes what it must not allow.
// ilr_app is cluster-wide: created here when the migrating role may create roles (a superuser, or
// CREATEROLE), otherwise it must exist beforehand (CREATE ROLE ilr_app NOLOGIN).
export class CreateAppRole1796154534911 implements MigrationInterface {
  name = 'CreateAppRole1796154534911';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ilr_app') THEN
          BEGIN
            CREATE ROLE ilr_app NOLOGIN;
          EXCEPTION
            -- created by another database's migration at the same moment
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
              RAISE EXCEPTION 'role ilr_app does not exist and % may not create roles', current_user
                USING HINT = 'as a superuser: CREATE ROLE ilr_app NOLOGIN; GRANT ilr_app TO <the DATABASE_URL user>';
          END;
        END IF;
      END
      $$`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO ilr_app`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ilr_app`);
    await queryRunner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ilr_app`);
    await queryRunner.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ilr_app`);
    // Append-only for the service; the migrations table is the owner's.
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "audit_events" FROM ilr_app`);
    await queryRunner.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "migrations" FROM ilr_app`);
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ilr_app`,
    );
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ilr_app`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO ilr_app`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The role itself stays: it is shared by every database of the cluster.
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM ilr_app`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM ilr_app`);
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ilr_app`,
    );
    await queryRunner.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ilr_app`);
    await queryRunner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ilr_app`);
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ilr_app`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM ilr_app`);
  }
}
