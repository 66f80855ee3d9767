import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { newCaseBody } from '../support/cases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_ADMIN } from '../support/factories.js';
import {
  type ApiProcess,
  type ApiResponse,
  call,
  login,
  startApiProcesses,
  stopAll,
  tokenFor,
} from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { TestMailServer } from '../support/mail.js';

// Issue 10, "Tests": two real OS processes of the built server behind no load balancer, each on its
// own port, on one migrated database (as the restricted service role; migrations as the owner),
// with the same secrets and the same DATA_DIR/EXPORT_DIR. What must hold across them: the sign-in
// throttle and the API rate limit (their counters live in the database, not in a process), an export
// job done once by one of them, and the idempotency and last-admin rules when the two race.

type Body = Record<string, any>;

const SECRETS = {
  JWT_SECRET: 'two-processes-jwt-secret-that-is-long-enough-0123',
  MRN_ENCRYPTION_KEY: '44'.repeat(32),
  MRN_HASH_KEY: '55'.repeat(32),
  EXPORT_PSEUDONYM_KEY: '66'.repeat(32),
};
// The limits a check is not about are set out of reach (all requests come from 127.0.0.1).
const HIGH_LIMITS = {
  RATE_LIMIT_PER_MINUTE: '1000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
  LOGIN_MAX_FAILURES_PER_EMAIL: '1000',
  LOGIN_MAX_FAILURES_PER_IP: '10000',
};
const WAIT_MS = 45_000;

const statuses = (responses: Array<{ status: number }>) =>
  responses.reduce<Record<number, number>>((counts, r) => ({ ...counts, [r.status]: (counts[r.status] ?? 0) + 1 }), {});

// A database copied from the migrated template, a shared data directory, and the environment both
// processes get.
async function sharedSetUp(): Promise<{ db: TestDatabase; dataDir: string; env: Record<string, string> }> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'ilr-two-processes-'));
  chmodSync(dataDir, 0o755);
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: db.appUrl,
    MIGRATION_DATABASE_URL: db.ownerUrl,
    ...SECRETS,
    DATA_DIR: dataDir,
    EXPORT_DIR: join(dataDir, 'exports'),
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    // Production needs a mail server for questionnaire invitations; the checks that are not about them turn them off.
    QUESTIONNAIRE_SCHEDULER: 'off',
  };
  return { db, dataDir, env };
}

async function ownerQuery<T = Body>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function newUser(api: ApiProcess, adminToken: string, role: string): Promise<Body> {
  const email = `${role}.${randomBytes(4).toString('hex')}@two-processes.test`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const created = await call(api, 'POST', '/api/v1/users', {
    token: adminToken,
    body: { email, displayName: `Dr ${role}`, role, password },
  });
  if (created.status !== 201) throw new Error(`creating a user failed with ${created.status}`);
  return { id: created.body.id as string, email, password };
}

const expectThrottled = (response: ApiResponse) => {
  expect(response.status).toBe(429);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
};

describe('two API processes on one database: shared throttles (e2e, built server)', () => {
  const started: ApiProcess[] = [];
  let db: TestDatabase;
  let dataDir: string;
  let apis: ApiProcess[];
  let admin: string;

  beforeAll(async () => {
    const shared = await sharedSetUp();
    ({ db, dataDir } = shared);
    apis = await startApiProcesses(
      2,
      {
        ...shared.env,
        ...HIGH_LIMITS,
        LOGIN_MAX_FAILURES_PER_EMAIL: '5',
        RATE_LIMIT_PER_MINUTE: '20',
        EXPORT_WORKER: 'off',
      },
      started,
    );
    admin = await tokenFor(apis[0], TEST_ADMIN.email, TEST_ADMIN.password);
  }, 120_000);
  afterAll(async () => {
    await stopAll(started);
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('runs two processes, each serving as the restricted service role', async () => {
    expect(apis[0].pid).not.toBe(apis[1].pid);
    expect(apis[0].port).not.toBe(apis[1].port);
    const sessions = await ownerQuery<{ usename: string; rolsuper: boolean }>(
      db,
      `SELECT DISTINCT a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
       WHERE a.datname = $1 AND a.application_name = 'ilr-registry'`,
      [db.name],
    );
    expect(sessions).toEqual([{ usename: decodeURIComponent(new URL(db.appUrl).username), rolsuper: false }]);
  });

  it('counts wrong passwords for one email alternated between the processes in one budget, then refuses the right one on both', async () => {
    const user = await newUser(apis[0], admin, 'surgeon');
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) seen.push((await login(apis[i % 2], user.email, 'wrong-password-x')).status);
    // Per process, each would have allowed five: in total, only five are checked.
    expect(seen).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    for (const api of apis) expectThrottled(await login(api, user.email, user.password));
  });

  it('counts concurrent wrong passwords against both processes in one budget, then refuses the right one on both', async () => {
    const user = await newUser(apis[1], admin, 'surgeon');
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) => login(apis[i % 2], user.email, 'wrong-password-y')),
    );
    expect(statuses(responses)).toEqual({ 401: 5, 429: 19 });
    for (const api of apis) expectThrottled(await login(api, user.email, user.password));
  });

  it('counts one credential’s requests split over both processes against one rate limit', async () => {
    const user = await newUser(apis[0], admin, 'surgeon');
    const token = await tokenFor(apis[1], user.email, user.password);
    const seen: number[] = [];
    for (let i = 0; i < 26; i++) seen.push((await call(apis[i % 2], 'GET', '/api/v1/auth/me', { token })).status);
    expect(seen).toEqual([...Array<number>(20).fill(200), ...Array<number>(6).fill(429)]);
    for (const api of apis) expectThrottled(await call(api, 'GET', '/api/v1/auth/me', { token }));
  });

  it('holds the rate limit for concurrent requests of one credential against both processes', async () => {
    const user = await newUser(apis[1], admin, 'surgeon');
    const token = await tokenFor(apis[0], user.email, user.password);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(apis[i % 2], 'GET', '/api/v1/auth/me', { token })),
    );
    // Per process, each would have allowed twenty (all thirty 200): in total, only twenty pass.
    expect(statuses(responses)).toEqual({ 200: 20, 429: 10 });
  });
});

describe('two API processes on one database: exports, idempotency and the last admin (e2e, built server)', () => {
  const started: ApiProcess[] = [];
  let db: TestDatabase;
  let dataDir: string;
  let exportDir: string;
  let apis: ApiProcess[];
  let admin: string;
  let staff: Body;
  let surgeon: Body;
  let mail: TestMailServer;
  const CASES = 3;

  beforeAll(async () => {
    const shared = await sharedSetUp();
    ({ db, dataDir } = shared);
    exportDir = shared.env.EXPORT_DIR;
    mail = await new TestMailServer().start();
    apis = await startApiProcesses(
      2,
      {
        ...shared.env,
        ...HIGH_LIMITS,
        EXPORT_WORKER: 'on',
        EXPORT_WORKER_POLL_MS: '50',
        EXPORT_JOB_LEASE_MS: '2000',
        EXPORT_JOB_HEARTBEAT_MS: '200',
        // Both processes run the questionnaire schedule every second, mailing to the test's SMTP server.
        SMTP_URL: mail.url,
        QUESTIONNAIRE_SCHEDULER: 'on',
        QUESTIONNAIRE_SCHEDULER_INTERVAL_MS: '1000',
      },
      started,
    );
    admin = await tokenFor(apis[0], TEST_ADMIN.email, TEST_ADMIN.password);
    staff = await newUser(apis[0], admin, 'registry_staff');
    surgeon = await newUser(apis[1], admin, 'surgeon');
    staff.token = await tokenFor(apis[1], staff.email, staff.password);
    surgeon.token = await tokenFor(apis[0], surgeon.email, surgeon.password);
    for (let i = 0; i < CASES; i++) {
      const created = await call(apis[i % 2], 'POST', '/api/v1/cases', { token: surgeon.token, body: newCaseBody() });
      if (created.status !== 201) throw new Error(`seeding a case failed with ${created.status}`);
    }
  }, 120_000);
  afterAll(async () => {
    await stopAll(started);
    await db?.drop();
    await mail?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('does each export job once, by one of the two workers, with a good file either process serves', async () => {
    const ids: string[] = [];
    const formats = ['csv', 'ndjson', 'fhir', 'csv', 'ndjson', 'fhir'];
    for (const [i, format] of formats.entries()) {
      const queued = await call(apis[i % 2], 'POST', '/api/v1/exports', {
        token: staff.token,
        body: { dataset: 'cases', format },
      });
      expect(queued.status).toBe(202);
      ids.push(queued.body.id);
    }
    const jobs = await waitFor(
      () => ownerQuery(db, 'SELECT * FROM export_jobs WHERE id = ANY($1::uuid[]) ORDER BY created_at', [ids]),
      (rows) => rows.length === ids.length && rows.every((job) => job.status === 'done' || job.status === 'failed'),
      WAIT_MS,
    );
    const pids = apis.map((api) => api.pid);
    for (const job of jobs) {
      // Normally one attempt; on a loaded machine a worker whose heartbeat came too late loses its
      // lease and the job is taken over (that attempt stops and writes nothing): still done once.
      expect(job).toMatchObject({ status: 'done', rows_written: CASES, lease_expires_at: null });
      // claimed_by is host:pid:random — the pid of one of the two processes.
      const pid = Number(/:(\d+):[0-9a-f]+$/.exec(job.claimed_by)?.[1]);
      expect(pids).toContain(pid);

      const completions = await ownerQuery(
        db,
        `SELECT actor_id, actor_system, details FROM audit_events
         WHERE action = 'export' AND entity_id = $1 AND details->>'status' = 'completed'`,
        [job.id],
      );
      expect(completions).toHaveLength(1);
      expect(completions[0]).toMatchObject({ actor_id: null, actor_system: 'system:export-worker' });
      expect(completions[0].details).toMatchObject({
        requestedBy: staff.id,
        attempt: job.attempts,
        sha256: job.sha256,
      });

      const manifest = JSON.parse(readFileSync(join(exportDir, 'manifests', `${job.id}.manifest.json`), 'utf8'));
      expect(manifest).toMatchObject({ jobId: job.id, rows: CASES, sha256: job.sha256 });
      for (const api of apis) {
        const status = await call(api, 'GET', `/api/v1/exports/${job.id}`, { token: staff.token });
        expect(status.body).toMatchObject({ status: 'done', rows: CASES, progress: 1, sha256: job.sha256 });
        const file = await call<Buffer>(api, 'GET', `/api/v1/exports/${job.id}/file`, {
          token: staff.token,
          raw: true,
        });
        expect(file.status).toBe(200);
        expect(createHash('sha256').update(file.body).digest('hex')).toBe(manifest.sha256);
      }
    }
    // An attempt that lost its lease removes its own file as it stops: give it a moment.
    const partials = () => readdirSync(exportDir).filter((name) => name.endsWith('.partial'));
    expect(
      await waitFor(
        async () => partials(),
        (names) => names.length === 0,
        10_000,
      ),
    ).toEqual([]);
  }, 90_000);

  it('creates one case for one Idempotency-Key sent to both processes at once', async () => {
    const casesOfSurgeon = async () =>
      (
        await ownerQuery<{ count: number }>(db, 'SELECT count(*)::int AS count FROM cases WHERE surgeon_id = $1', [
          surgeon.id,
        ])
      )[0].count;
    for (let round = 0; round < 4; round++) {
      const before = await casesOfSurgeon();
      const key = randomUUID();
      const body = newCaseBody();
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          call(apis[(i + round) % 2], 'POST', '/api/v1/cases', {
            token: surgeon.token,
            body,
            headers: { 'idempotency-key': key },
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array<number>(8).fill(201));
      const locations = new Set(responses.map((r) => r.headers.get('location')));
      const ids = new Set(responses.map((r) => r.body.id));
      expect(locations.size).toBe(1);
      expect(ids.size).toBe(1);
      const [id] = ids;
      expect([...locations][0]).toMatch(new RegExp(`/${id}$`));
      // The request that created the case is the one answer not marked as a replay.
      expect(responses.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
      expect(await casesOfSurgeon()).toBe(before + 1);
      const created = await ownerQuery(
        db,
        "SELECT 1 FROM audit_events WHERE action = 'create' AND entity_type = 'case' AND entity_id = $1",
        [id],
      );
      expect(created).toHaveLength(1);
    }
  }, 60_000);

  it('never leaves zero active admins when the two processes race to remove one admin each', async () => {
    const me = await call(apis[0], 'GET', '/api/v1/auth/me', { token: admin });
    const first = me.body.id as string;
    const second = await newUser(apis[1], admin, 'admin');
    const activeAdmins = async () =>
      (
        await ownerQuery<{ count: number }>(
          db,
          "SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND active",
        )
      )[0].count;
    expect(await activeAdmins()).toBe(2);
    let conflicts = 0;
    for (let round = 0; round < 6; round++) {
      // Alternate which process gets which PATCH.
      const [toDeactivate, toDemote] = round % 2 === 0 ? apis : [apis[1], apis[0]];
      const [deactivate, demote] = await Promise.all([
        call(toDeactivate, 'PATCH', `/api/v1/users/${second.id}`, { token: admin, body: { active: false } }),
        call(toDemote, 'PATCH', `/api/v1/users/${first}`, { token: admin, body: { role: 'registry_staff' } }),
      ]);
      const outcome = { deactivate: deactivate.status, demote: demote.status };
      // One of the two succeeds. The other is refused: 409 when it reached the last-admin check
      // (the race); 403 for the deactivation if the caller's own demotion was committed before the
      // caller was authenticated (it is no longer an admin).
      if (deactivate.status === 200) {
        expect(outcome).toEqual({ deactivate: 200, demote: 409 });
      } else {
        expect(demote.status).toBe(200);
        expect([409, 403]).toContain(deactivate.status);
      }
      if (outcome.deactivate === 409 || outcome.demote === 409) conflicts++;
      expect(await activeAdmins()).toBe(1);

      // Back to two admins, through whichever is still one.
      if (deactivate.status === 200) {
        const restored = await call(apis[round % 2], 'PATCH', `/api/v1/users/${second.id}`, {
          token: admin,
          body: { active: true },
        });
        expect(restored.status).toBe(200);
      } else {
        const token = await tokenFor(apis[round % 2], second.email, second.password);
        const restored = await call(apis[(round + 1) % 2], 'PATCH', `/api/v1/users/${first}`, {
          token,
          body: { role: 'admin' },
        });
        expect(restored.status).toBe(200);
      }
      expect(await activeAdmins()).toBe(2);
    }
    // At least one round was a true race, both PATCHes past authentication when the check ran.
    expect(conflicts).toBeGreaterThan(0);
  }, 60_000);

  // Last: its cases would change the counts the export check expects.
  it('sends one questionnaire invitation per case and timepoint while both processes run the schedule', async () => {
    // Surgery 40 days ago: the 6w window (days 28–69) is open by the processes' own clocks.
    const surgeryDate = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    const emails: string[] = [];
    for (let i = 0; i < 6; i++) {
      const email = `invited.${i}.${randomBytes(3).toString('hex')}@example.org`;
      emails.push(email);
      const patient = {
        mrn: `TWO-Q-${i}-${randomBytes(3).toString('hex')}`,
        birthDate: '1980-01-01',
        sex: 'male',
        email,
      };
      const created = await call(apis[i % 2], 'POST', '/api/v1/cases', {
        token: surgeon.token,
        body: newCaseBody({ surgeryDate, patient }),
      });
      expect(created.status).toBe(201);
    }
    await waitFor(
      async () => emails.filter((email) => mail.to(email).length > 0).length,
      (arrived) => arrived === emails.length,
      WAIT_MS,
    );
    // A few more runs of both schedules: nothing is mailed twice.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const email of emails) expect(mail.to(email)).toHaveLength(1);
    const [{ count, mails }] = await ownerQuery<{ count: number; mails: number }>(
      db,
      `SELECT count(*)::int AS count, sum(mails_sent)::int AS mails FROM questionnaire_invitations`,
    );
    expect({ count, mails }).toEqual({ count: 6, mails: 6 });
    const [{ invites }] = await ownerQuery<{ invites: number }>(
      db,
      `SELECT count(*)::int AS invites FROM audit_events WHERE action = 'invite'`,
    );
    expect(invites).toBe(6);
  }, 60_000);
});
