import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { dataDir, freePort, runServer, type ServerProcess, waitReady } from '../support/server-process.js';

// Builds nothing, but starts a primary and two workers, kills one and waits for its replacement: on a loaded
// 2-core machine that has taken 26 s, close to jest's default 30 s.
jest.setTimeout(90_000);

// `npm start` with WEB_CONCURRENCY=2: the primary prepares the database once and forks two HTTP
// workers (node:cluster) that share the port.
const ADMIN = { email: 'cluster-admin@test.ilr', password: 'cluster-admin-password' };

// The node processes whose parent is `pid`.
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm]) => comm === 'node')
      .map(([id]) => Number(id));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('npm start with WEB_CONCURRENCY=2 (node:cluster)', () => {
  const databases: TestDatabase[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    for (const db of databases) await db.drop();
  });

  it('migrates once, serves from two workers on one port, replaces a dead worker, and stops them all on SIGTERM', async () => {
    const db = await createTestDatabase({ migrated: false });
    databases.push(db);
    const port = await freePort();
    const server = runServer({
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      DATABASE_URL: db.appUrl,
      MIGRATION_DATABASE_URL: db.url,
      PORT: String(port),
      DATA_DIR: dataDir(),
      WEB_CONCURRENCY: '2',
      EXPORT_WORKER: 'off',
      // Eight concurrent sign-ins for one account are not an attack here.
      LOGIN_MAX_FAILURES_PER_EMAIL: '100',
    });
    servers.push(server);
    await waitReady(port, server.child, 90_000);
    const workers = await waitFor(() => {
      const found = childrenOf(server.child.pid!);
      return found.length === 2 ? found : undefined;
    }, 'two workers');
    // Both workers listen before the primary reports them all started; the migrations ran once.
    await waitFor(
      () => ((server.output().match(/listening on/g) ?? []).length >= 2 ? true : undefined),
      'workers listening',
    );
    expect((server.output().match(/"migrations applied"/g) ?? []).length).toBe(1);

    // Requests are served (by either worker) against the one database; the first admin exists once
    // although both workers booted on an empty database.
    const logins = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        }),
      ),
    );
    expect(logins.map((r) => r.status)).toEqual(Array(8).fill(200));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin'`);
    await client.end();
    expect(rows[0].n).toBe(1);

    // A worker that dies is replaced.
    process.kill(workers[0], 'SIGKILL');
    await waitFor(() => {
      const now = childrenOf(server.child.pid!);
      return now.length === 2 && !now.includes(workers[0]) ? now : undefined;
    }, 'a replacement worker');
    await waitReady(port, server.child, 90_000);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(childrenOf(server.child.pid!)).toEqual([]);
    for (const pid of workers) expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
