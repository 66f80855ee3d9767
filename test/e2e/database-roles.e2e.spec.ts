import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { APP_ROLE, ensureLoginRole, migrate } from '@ilr/persistence';
import { startTestApp, TEST_ADMIN, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import { appDatabaseUrl, createTestDatabase, databaseUrl, type TestDatabase } from '../support/database.js';
import { dataDir, freePort, login, runServer, waitReady } from '../support/server-process.js';

// Issue 10, item 9a: the audit trail is owned by a role the service does not log in as. Migrations
// run as the owner; the service's role (a member of ilr_app) may read and write the tables but
// neither alter the audit trail nor change or remove its rows.
type Body = Record<string, any>;

const as = (token: string) => ({ Authorization: `Bearer ${token}` });

function withCredentials(url: string, user: string, password: string): string {
  const copy = new URL(url);
  copy.username = encodeURIComponent(user);
  copy.password = encodeURIComponent(password);
  return copy.toString();
}

async function asServer<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.ILR_TEST_SERVER_URL });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('database roles (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the service as a role that is no superuser, owns nothing and belongs to ilr_app', async () => {
    const [role] = await t.appDataSource.query(
      `SELECT current_user AS name, r.rolsuper AS superuser, r.rolcreaterole AS createrole, r.rolbypassrls AS bypassrls,
              pg_has_role(current_user, $1, 'USAGE') AS member,
              pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'audit_events'::regclass), 'USAGE') AS owner
       FROM pg_roles r WHERE r.rolname = current_user`,
      [APP_ROLE],
    );
    expect(role).toEqual({
      name: new URL(t.db.appUrl).username,
      superuser: false,
      createrole: false,
      bypassrls: false,
      member: true,
      owner: false,
    });
    const [{ owned }] = await t.dataSource.query(
      `SELECT count(*)::int AS owned FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND pg_has_role($1, c.relowner, 'USAGE')`,
      [role.name],
    );
    expect(owned).toBe(0);
  });

  it('refuses the service role every way of switching off or rewriting the audit trail, and the service works', async () => {
    const surgeon = await t.factories.newUser({ role: 'surgeon' });
    const created = await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(newCaseBody()).expect(201);
    const app = t.appDataSource;
    const refused = async (sql: string, message: RegExp) => {
      await expect(app.query(sql)).rejects.toThrow(message);
    };
    await refused('ALTER TABLE audit_events DISABLE TRIGGER ALL', /must be (the )?owner/);
    await refused('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update', /must be (the )?owner/);
    await refused('DROP TRIGGER audit_events_no_update ON audit_events', /must be (the )?owner/);
    await refused(
      `CREATE OR REPLACE FUNCTION audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`,
      /must be (the )?owner|permission denied/,
    );
    await refused("UPDATE audit_events SET reason = 'x'", /permission denied/);
    await refused('DELETE FROM audit_events', /permission denied/);
    await refused('TRUNCATE audit_events', /permission denied/);
    await refused("SET session_replication_role = 'replica'", /permission denied/);
    await refused("SELECT setval('audit_events_id_seq', 1)", /permission denied/);
    await refused('ALTER TABLE audit_events OWNER TO CURRENT_USER', /must be (the )?owner/);
    // What it may do: read the trail, and append through the chaining trigger.
    await expect(app.query('SELECT count(*) FROM audit_events')).resolves.toBeDefined();

    const history = await t.http().get(`/api/v1/cases/${created.body.id}/history`).set(as(surgeon.token)).expect(200);
    expect(history.body.chainIntact).toBe(true);
    expect(history.body.items.map((item: Body) => item.action)).toEqual(['create', 'create']);
    expect(await t.dataSource.query('SELECT * FROM audit_events_verify()')).toEqual([]);
  });

  it('lets the service role read but not change the migrations, and grants it the tables of later migrations', async () => {
    const app = t.appDataSource;
    await expect(app.query('SELECT count(*) FROM migrations')).resolves.toBeDefined();
    await expect(app.query("INSERT INTO migrations (timestamp, name) VALUES (1, 'Fake1')")).rejects.toThrow(
      /permission denied/,
    );
    await expect(app.query('DELETE FROM migrations')).rejects.toThrow(/permission denied/);
    await expect(app.query('CREATE TABLE sneaky (id int)')).rejects.toThrow(/permission denied/);

    // A table and sequence the owner creates later (a later migration) are the service's to use.
    await t.dataSource.query('CREATE SEQUENCE later_seq');
    await t.dataSource.query("CREATE TABLE later_table (id bigint PRIMARY KEY DEFAULT nextval('later_seq'), v text)");
    try {
      await app.query("INSERT INTO later_table (v) VALUES ('a')");
      await app.query("UPDATE later_table SET v = 'b'");
      expect(await app.query('SELECT id::int AS id, v FROM later_table')).toEqual([{ id: 1, v: 'b' }]);
      await app.query('DELETE FROM later_table');
      await expect(app.query('DROP TABLE later_table')).rejects.toThrow(/must be (the )?owner/);
    } finally {
      await t.dataSource.query('DROP TABLE later_table');
      await t.dataSource.query('DROP SEQUENCE later_seq');
    }
  });
});

describe('migrations by a schema owner that is not a superuser (e2e)', () => {
  const OWNER = 'ilr_test_owner';
  const OWNER_PASSWORD = 'ilr-test-owner-password';
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    // A cluster-wide role, like ilr_test_service: fixed name and password, left in place.
    await ensureLoginRole(process.env.ILR_TEST_SERVER_URL!, OWNER, OWNER_PASSWORD);
    const name = `${process.env.ILR_TEST_TEMPLATE}_fowner${Date.now().toString(36)}`;
    await asServer(`CREATE DATABASE ${name} OWNER ${OWNER}`);
    const ownerUrl = withCredentials(databaseUrl(name), OWNER, OWNER_PASSWORD);
    db = {
      url: ownerUrl,
      ownerUrl,
      appUrl: appDatabaseUrl(name),
      name,
      drop: async () => {
        await asServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
    const applied = await migrate(db.ownerUrl, { appUser: decodeURIComponent(new URL(db.appUrl).username) });
    expect(applied.length).toBeGreaterThan(0);
    t = await startTestApp({}, { database: db });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('migrates, serves as the service role, and keeps the trail out of its reach', async () => {
    const [owner] = await t.dataSource.query(
      "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_events'",
    );
    expect(owner.tableowner).toBe(OWNER);
    const surgeon = await t.factories.newUser({ role: 'surgeon' });
    const created = await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(newCaseBody()).expect(201);
    expect(
      (await t.http().get(`/api/v1/cases/${created.body.id}/history`).set(as(surgeon.token)).expect(200)).body
        .chainIntact,
    ).toBe(true);
    await expect(t.appDataSource.query('ALTER TABLE audit_events DISABLE TRIGGER ALL')).rejects.toThrow(
      /must be (the )?owner/,
    );
    await expect(t.appDataSource.query('DELETE FROM audit_events')).rejects.toThrow(/permission denied/);
    // The checkpoint trigger runs as the owner: the head is recorded though the service may not write it.
    const [head] = await t.dataSource.query(
      'SELECT event_id::text AS id FROM audit_checkpoints ORDER BY event_id DESC LIMIT 1',
    );
    const [newest] = await t.dataSource.query('SELECT e.id::text AS id FROM audit_events e ORDER BY e.id DESC LIMIT 1');
    expect(head).toEqual(newest);
    expect(await t.dataSource.query('SELECT * FROM audit_events_verify()')).toEqual([]);
  });
});

describe('start-up with two database URLs (e2e, built server)', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('migrates as MIGRATION_DATABASE_URL and serves as DATABASE_URL, without a warning', async () => {
    const db = await createTestDatabase({ migrated: false });
    databases.push(db);
    const port = await freePort();
    const server = runServer({
      MIGRATION_DATABASE_URL: db.ownerUrl,
      DATABASE_URL: db.appUrl,
      PORT: String(port),
      DATA_DIR: dataDir(),
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
    });
    try {
      await waitReady(port, server.child);
      expect((await login(port, TEST_ADMIN.email, TEST_ADMIN.password)).status).toBe(200);
      const sessions = await asServer<{ usename: string }>(
        `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = '${db.name}' AND application_name = 'ilr-registry'`,
      );
      expect(sessions).toEqual([{ usename: new URL(db.appUrl).username }]);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('migrations applied');
    expect(server.output()).not.toContain('MIGRATION_DATABASE_URL is unset');
    expect(server.output()).not.toContain('superuser');
  });

  it('warns when the service role given as DATABASE_URL is a superuser', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const port = await freePort();
    const server = runServer({
      MIGRATION_DATABASE_URL: db.ownerUrl,
      DATABASE_URL: db.ownerUrl,
      PORT: String(port),
      DATA_DIR: dataDir(),
    });
    try {
      await waitReady(port, server.child);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/the service's database role \S+ is a superuser/);
  });
});
