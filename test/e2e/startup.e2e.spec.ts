import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { APP_ROLE, startEmbeddedPostgres } from '@ilr/persistence';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { dataDir, freePort, login, runServer as run, waitReady } from '../support/server-process.js';

// The port `npm start`'s embedded PostgreSQL listens on, from its log line.
function embeddedPort(output: string): number {
  const line = output.split('\n').find((entry) => entry.includes('embedded PostgreSQL started'));
  if (!line) throw new Error('no embedded PostgreSQL start in the log');
  return (JSON.parse(line) as { port: number }).port;
}

async function connects(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const superuser = (secret: string, port: number) =>
  `postgresql://postgres:${encodeURIComponent(secret)}@127.0.0.1:${port}/ilr`;

describe('start-up and shutdown (e2e, built server)', () => {
  const databases: TestDatabase[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start with invalid configuration and names the variable', async () => {
    const server = run({ PORT: 'eighty', JWT_SECRET: 'short', DATA_DIR: dataDir() });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT');
    expect(server.output()).toContain('JWT_SECRET must be at least 32 characters');
    expect(server.output()).not.toContain('short');
  });

  it('requires every secret in production', async () => {
    const server = run({ NODE_ENV: 'production', DATA_DIR: dataDir() });
    expect(await server.exited).toBe(1);
    for (const name of ['JWT_SECRET', 'MRN_ENCRYPTION_KEY', 'MRN_HASH_KEY', 'EXPORT_PSEUDONYM_KEY']) {
      expect(server.output()).toContain(name);
    }
  });

  it('migrates an empty DATABASE_URL database on start, serves, and exits cleanly on SIGTERM', async () => {
    const db = await createTestDatabase({ migrated: false });
    databases.push(db);
    const port = await freePort();
    const server = run({ DATABASE_URL: db.url, PORT: String(port), DATA_DIR: dataDir() });
    await waitReady(port, server.child);
    expect(server.output()).toContain('migrations applied');
    // One role for migrations and service: said at start-up.
    expect(server.output()).toContain('MIGRATION_DATABASE_URL is unset');
    // No ADMIN_PASSWORD: a one-time password is printed once.
    expect(server.output()).toMatch(/created admin admin@ilr\.local with one-time password \S+/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('runs on an embedded PostgreSQL under DATA_DIR, as its restricted service role, and stops it on SIGINT', async () => {
    const dir = dataDir();
    dirs.push(dir);
    const port = await freePort();
    const server = run({
      PORT: String(port),
      DATA_DIR: dir,
      ADMIN_EMAIL: 'boss@test.ilr',
      ADMIN_PASSWORD: 'boss-password-123',
    });
    await waitReady(port, server.child);
    expect(existsSync(join(dir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(true);
    expect((await login(port, 'boss@test.ilr', 'boss-password-123')).status).toBe(200);

    // Two roles, each password generated and kept beside the cluster (0600); the service uses the
    // one that is no superuser, and the well-known `postgres` password does not open the cluster.
    const secretsFile = join(dir, 'postgres-secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as { superuserPassword: string };
    const pgPort = embeddedPort(server.output());
    expect(await connects(superuser('postgres', pgPort))).toBe(false);
    const sessions = await query<{ usename: string; rolsuper: boolean; member: boolean }>(
      superuser(secrets.superuserPassword, pgPort),
      `SELECT DISTINCT a.usename, r.rolsuper, pg_has_role(a.usename, '${APP_ROLE}', 'USAGE') AS member
       FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename WHERE a.application_name = 'ilr-registry'`,
    );
    expect(sessions).toEqual([{ usename: 'ilr_service', rolsuper: false, member: true }]);

    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    // PostgreSQL removes its pid file on a clean shutdown.
    expect(existsSync(join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(server.output()).not.toContain('boss-password-123');
    expect(server.output()).not.toContain(secrets.superuserPassword);
  }, 90_000);

  it('upgrades an embedded cluster from before the two roles: new superuser password, a service role, same data', async () => {
    const dir = dataDir();
    dirs.push(dir);
    const env = { DATA_DIR: dir, ADMIN_EMAIL: 'boss@test.ilr', ADMIN_PASSWORD: 'boss-password-123' };
    const firstPort = await freePort();
    const first = run({ ...env, PORT: String(firstPort) });
    await waitReady(firstPort, first.child);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    // Put the cluster back the way earlier versions left it: superuser password `postgres`, no
    // service role, no secrets file.
    const cluster = await startEmbeddedPostgres({ dir: join(dir, 'postgres'), database: 'ilr' });
    try {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      await client.query("ALTER ROLE postgres PASSWORD 'postgres'");
      await client.query('DROP ROLE ilr_service');
      await client.end();
    } finally {
      await cluster.stop();
    }
    rmSync(join(dir, 'postgres-secrets.json'));

    const port = await freePort();
    const second = run({ ...env, PORT: String(port) });
    try {
      await waitReady(port, second.child);
      expect((await login(port, 'boss@test.ilr', 'boss-password-123')).status).toBe(200);
      const pgPort = embeddedPort(second.output());
      expect(await connects(superuser('postgres', pgPort))).toBe(false);
      const secrets = JSON.parse(readFileSync(join(dir, 'postgres-secrets.json'), 'utf8'));
      const [role] = await query<{ rolsuper: boolean; member: boolean }>(
        superuser(secrets.superuserPassword, pgPort),
        `SELECT rolsuper, pg_has_role('ilr_service', '${APP_ROLE}', 'USAGE') AS member FROM pg_roles WHERE rolname = 'ilr_service'`,
      );
      expect(role).toEqual({ rolsuper: false, member: true });
    } finally {
      second.child.kill('SIGINT');
    }
    expect(await second.exited).toBe(0);
  }, 180_000);

  it('says in one line that the postgres user cannot reach a DATA_DIR under a 0700 directory, and exits 1', async () => {
    const locked = mkdtempSync(join(tmpdir(), 'ilr-locked-')); // mode 0700, ours
    dirs.push(locked);
    const port = await freePort();
    const server = run({ DATA_DIR: join(locked, '.data'), PORT: String(port) });
    if (userInfo().uid !== 0) {
      // Not root: PostgreSQL runs as us, and we may enter our own 0700 directory.
      await waitReady(port, server.child);
      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
      return;
    }
    expect(await server.exited).toBe(1);
    const output = server.output();
    const failure = output.split('\n').filter((line) => line.includes('failed to start'));
    expect(failure).toEqual([
      `ILR Registry failed to start: DATA_DIR ${join(locked, '.data')} is not reachable by the postgres user that runs the embedded database (${locked} has mode 0700 and belongs to root): move the project out of a 0700 directory, or set DATA_DIR or DATABASE_URL.`,
    ]);
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toContain('EACCES');
    expect(output).not.toContain('initdb');
  });
});
