import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ExportWorker } from '@ilr/registry';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import type { TestUser } from '../support/factories.js';
import { waitFor } from '../support/wait.js';

// Export jobs with several processes on one database (issue 10, item 6): a job is leased by the
// worker that claimed it and renewed by heartbeat; only a job whose lease expired is taken over; each
// attempt writes its own file; an attempt that lost its lease stops and writes no result.

type Body = Record<string, any>;
const as = (token: string) => ({ Authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Short leases, so that expiry and take-over happen within a test; the lease is ten heartbeats, so
// that a loaded machine (a late timer, a slow query) does not make a live worker lose its lease.
const LEASE_MS = 2000;
const LEASE = { EXPORT_JOB_LEASE_MS: String(LEASE_MS), EXPORT_JOB_HEARTBEAT_MS: '200', EXPORT_WORKER_POLL_MS: '50' };
const WAIT_MS = 45_000;
const waitLong = <T>(read: () => Promise<T>, done: (value: T) => boolean) => waitFor(read, done, WAIT_MS);
const CASES = 3;

describe('export job leases across processes (e2e)', () => {
  let db: TestDatabase;
  let staff: TestUser;
  const dataDir = mkdtempSync(join(tmpdir(), 'ilr-export-lease-'));
  const exportDir = join(dataDir, 'exports');
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const app = await startTestApp({ DATA_DIR: dataDir, ...LEASE, ...env }, { database: db });
    apps.push(app);
    return app;
  };
  const stop = async (app: TestApp) => {
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  };
  const workerId = (app: TestApp) => app.app.get(ExportWorker).id;

  beforeAll(async () => {
    db = await createTestDatabase();
    const seed = await start({ EXPORT_WORKER: 'off' });
    staff = await seed.factories.newUser({ role: 'registry_staff' });
    const surgeon = await seed.factories.newUser({ role: 'surgeon' });
    for (let i = 0; i < CASES; i++)
      await seed.http().post('/api/v1/cases').set(as(surgeon.token)).send(newCaseBody()).expect(201);
    await stop(seed);
  }, 120_000);
  afterAll(async () => {
    for (const app of [...apps]) await app.close().catch(() => undefined);
    await db?.drop();
  });

  const createJob = async (app: TestApp, body: Record<string, unknown> = { dataset: 'cases', format: 'csv' }) => {
    const token = await app.factories.login(staff.email, staff.password);
    return (await app.http().post('/api/v1/exports').set(as(token)).send(body).expect(202)).body.id as string;
  };
  const jobRow = async (app: TestApp, id: string): Promise<Body> =>
    (
      await app.dataSource.query('SELECT *, lease_expires_at > now() AS lease_live FROM export_jobs WHERE id = $1', [
        id,
      ])
    )[0];
  const completions = async (app: TestApp, id: string): Promise<Body[]> =>
    app.dataSource.query(
      "SELECT actor_id, actor_system, details FROM audit_events WHERE action = 'export' AND entity_id = $1 AND details->>'status' = 'completed'",
      [id],
    );
  // The job's file, fetched through the API, matches the sha256 the job reports and has every row.
  const expectGoodFile = async (app: TestApp, id: string) => {
    const token = await app.factories.login(staff.email, staff.password);
    const job = (await app.http().get(`/api/v1/exports/${id}`).set(as(token)).expect(200)).body;
    expect(job).toMatchObject({ status: 'done', rows: CASES, progress: 1 });
    const file = await app
      .http()
      .get(`/api/v1/exports/${id}/file`)
      .set(as(token))
      .buffer(true)
      .parse((res, cb) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => cb(null, Buffer.concat(parts)));
      })
      .expect(200);
    expect(
      createHash('sha256')
        .update(file.body as Buffer)
        .digest('hex'),
    ).toBe(job.sha256);
    const manifest = JSON.parse(readFileSync(join(exportDir, 'manifests', `${id}.manifest.json`), 'utf8'));
    expect(manifest).toMatchObject({ jobId: id, rows: CASES, sha256: job.sha256 });
  };
  const partials = () => readdirSync(exportDir).filter((name) => name.endsWith('.partial'));
  // Holds every export query on a table lock, so that a job stays running as long as a test needs.
  const holdExports = async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE case_facts IN ACCESS EXCLUSIVE MODE');
    return {
      release: async () => {
        await client.query('COMMIT');
        await client.end();
      },
    };
  };

  it('lets two processes race for the same jobs: each job is done once, by one of them, with a good file', async () => {
    const seed = await start({ EXPORT_WORKER: 'off' });
    const ids: string[] = [];
    for (const format of ['csv', 'ndjson', 'fhir', 'csv', 'ndjson', 'fhir', 'csv', 'ndjson'])
      ids.push(await createJob(seed, { dataset: 'cases', format }));
    await stop(seed);

    // Both start together and poll every 50 ms.
    const [first, second] = await Promise.all([start(), start()]);
    expect(workerId(first)).not.toBe(workerId(second));
    const rows = await waitLong(
      () => Promise.all(ids.map((id) => jobRow(first, id))),
      (all) => all.every((job) => job.status === 'done' || job.status === 'failed'),
    );
    for (const job of rows) {
      expect(job).toMatchObject({ status: 'done', attempts: 1, rows_written: CASES, lease_expires_at: null });
      expect([workerId(first), workerId(second)]).toContain(job.claimed_by);
      const events = await completions(first, job.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actor_id: null, actor_system: 'system:export-worker' });
      expect(events[0].details).toMatchObject({ requestedBy: staff.id, attempt: 1, sha256: job.sha256 });
      await expectGoodFile(second, job.id);
    }
    expect(partials()).toEqual([]);
    await stop(first);
    await stop(second);
  }, 120_000);

  it('leaves a job alone while its worker renews the lease, also when another process starts meanwhile', async () => {
    const first = await start();
    const hold = await holdExports();
    let released = false;
    try {
      const id = await createJob(first);
      const claimed = await waitLong(
        () => jobRow(first, id),
        (job) => job.status === 'running' && job.rows_total !== null,
      );
      expect(claimed).toMatchObject({ status: 'running', attempts: 1, claimed_by: workerId(first) });

      // A second process starts while the first is running the job, and polls for two leases' time.
      const second = await start();
      await sleep(2 * LEASE_MS);
      const during = await jobRow(first, id);
      expect(during).toMatchObject({ status: 'running', attempts: 1, claimed_by: workerId(first), lease_live: true });
      // Renewed by heartbeat, not left with the lease of the claim.
      expect(new Date(during.heartbeat_at).getTime()).toBeGreaterThan(new Date(claimed.heartbeat_at).getTime());
      expect(new Date(during.lease_expires_at).getTime()).toBeGreaterThan(
        new Date(claimed.lease_expires_at).getTime() + LEASE_MS,
      );

      await hold.release();
      released = true;
      const done = await waitLong(
        () => jobRow(first, id),
        (job) => job.status !== 'running',
      );
      expect(done).toMatchObject({ status: 'done', attempts: 1, claimed_by: workerId(first) });
      expect(await completions(first, id)).toHaveLength(1);
      await expectGoodFile(second, id);
      expect(partials()).toEqual([]);
      await stop(second);
    } finally {
      if (!released) await hold.release();
      await stop(first);
    }
  }, 120_000);

  it('stops an attempt that lost its lease without writing its result; a new attempt does the job once', async () => {
    const first = await start();
    const second = await start();
    const hold = await holdExports();
    let released = false;
    try {
      const id = await createJob(first);
      const claimed = await waitLong(
        () => jobRow(first, id),
        (job) => job.status === 'running' && job.rows_total !== null,
      );
      expect(claimed.attempts).toBe(1);
      const holder = [first, second].find((app) => workerId(app) === claimed.claimed_by)!;
      expect(holder).toBeDefined();
      // As if the holder had stalled past its lease (a long pause, a lost connection): it expires.
      await first.dataSource.query(
        "UPDATE export_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
        [id],
      );
      // The holder notices at its next heartbeat and stops; a worker takes the job as attempt 2.
      await waitLong(
        async () =>
          holder.logs.some((line) => line.jobId === id && line.attempt === 1 && /lease lost/.test(String(line.msg))),
        (seen) => seen,
      );
      const retaken = await waitLong(
        () => jobRow(first, id),
        (job) => job.attempts === 2 && job.status === 'running',
      );
      expect(retaken).toMatchObject({ status: 'running', attempts: 2, lease_live: true });
      // Attempt 1's file is gone; attempt 2 writes its own.
      expect(partials()).not.toContain(`${id}.1.partial`);

      await hold.release();
      released = true;
      const done = await waitLong(
        () => jobRow(first, id),
        (job) => job.status !== 'running',
      );
      expect(done).toMatchObject({ status: 'done', attempts: 2, claimed_by: retaken.claimed_by });
      const events = await completions(first, id);
      expect(events).toHaveLength(1);
      expect(events[0].details).toMatchObject({ attempt: 2, sha256: done.sha256 });
      await expectGoodFile(first, id);
      // Nothing was logged as a failure of the job: losing a lease is not one.
      for (const app of [first, second])
        expect(app.logs.filter((line) => line.jobId === id && Number(line.level) >= 50)).toEqual([]);
      expect(partials()).toEqual([]);
    } finally {
      if (!released) await hold.release();
      await stop(first);
      await stop(second);
    }
  }, 120_000);

  it('takes over a job whose worker died, and fails one that was interrupted three times', async () => {
    const seed = await start({ EXPORT_WORKER: 'off' });
    const orphan = await createJob(seed);
    const exhausted = await createJob(seed);
    const alive = await createJob(seed);
    // A process on another host died holding the first two; the third's holder is alive and well.
    await seed.dataSource.query(
      `UPDATE export_jobs SET status = 'running', claimed_by = 'gone-host:4242:0badf00d', started_at = now(),
              heartbeat_at = now() - interval '1 minute', lease_expires_at = now() - interval '30 seconds',
              attempts = CASE WHEN id = $1 THEN 1 ELSE 3 END
       WHERE id IN ($1, $2)`,
      [orphan, exhausted],
    );
    await seed.dataSource.query(
      `UPDATE export_jobs SET status = 'running', claimed_by = 'busy-host:7:cafe', started_at = now(), attempts = 1,
              heartbeat_at = now(), lease_expires_at = now() + interval '1 hour'
       WHERE id = $1`,
      [alive],
    );
    await stop(seed);

    const app = await start();
    const finished = await waitLong(
      () => Promise.all([orphan, exhausted].map((id) => jobRow(app, id))),
      (jobs) => jobs.every((job) => job.status === 'done' || job.status === 'failed'),
    );
    expect(finished[0]).toMatchObject({ status: 'done', attempts: 2, claimed_by: workerId(app) });
    await expectGoodFile(app, orphan);
    expect(finished[1]).toMatchObject({ status: 'failed', attempts: 3, file_name: null });
    expect(finished[1].error).toMatch(/interrupted too many times/);
    // The job whose lease is live stays with its holder.
    await sleep(500);
    expect(await jobRow(app, alive)).toMatchObject({ status: 'running', attempts: 1, claimed_by: 'busy-host:7:cafe' });
    await stop(app);
  }, 120_000);
});
