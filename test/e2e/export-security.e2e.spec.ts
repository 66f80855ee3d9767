import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import type { TestUser } from '../support/factories.js';
import { waitFor as waitForAtMost } from '../support/wait.js';

// Export authorisation is checked when it matters, not once when the job is created: the caller's
// rights as they are at download, and the creator's rights as they are when the worker runs the job
// (issue 10, item 5). And a file that is not ready is a 409 with the job's state (item 7).

type Body = Record<string, any>;
// Generous: the machine running the tests may be loaded.
const waitFor = <T>(read: () => Promise<T>, done: (value: T) => boolean) => waitForAtMost(read, done, 45_000);
const as = (token: string) => ({ Authorization: `Bearer ${token}` });

async function patchUser(t: TestApp, id: string, changes: Record<string, unknown>): Promise<void> {
  await t
    .http()
    .patch(`/api/v1/users/${id}`)
    .set(as(await t.factories.admin()))
    .send(changes)
    .expect(200);
}

async function createJob(t: TestApp, token: string, body: Record<string, unknown>): Promise<string> {
  const response = await t.http().post('/api/v1/exports').set(as(token)).send(body).expect(202);
  return response.body.id as string;
}

const jobRow = async (t: TestApp, id: string): Promise<Body> =>
  (await t.dataSource.query('SELECT * FROM export_jobs WHERE id = $1', [id]))[0] as Body;

const filesOf = (t: TestApp, id: string): string[] => {
  try {
    return readdirSync(t.config.exports.dir).filter((name) => name.startsWith(id));
  } catch {
    return [];
  }
};

describe('export authorisation at download (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ EXPORT_WORKER_POLL_MS: '100' });
    surgeon = await t.factories.newUser({ role: 'surgeon' });
    for (let i = 0; i < 2; i++)
      await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(newCaseBody()).expect(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const finished = (id: string, token: string) =>
    waitFor(
      async () => (await t.http().get(`/api/v1/exports/${id}`).set(as(token)).expect(200)).body as Body,
      (body) => body.status === 'done' || body.status === 'failed',
    );

  it('stops serving an identified job, its state and its file, to its creator once they are no longer an admin', async () => {
    const creator = await t.factories.newUser({ role: 'admin' });
    const identified = await createJob(t, creator.token, { dataset: 'cases', format: 'csv', identified: true });
    const deidentified = await createJob(t, creator.token, { dataset: 'cases', format: 'csv' });
    expect(await finished(identified, creator.token)).toMatchObject({ status: 'done', rows: 2 });
    expect(await finished(deidentified, creator.token)).toMatchObject({ status: 'done', rows: 2 });
    await t.http().get(`/api/v1/exports/${identified}/file`).set(as(creator.token)).expect(200);

    await patchUser(t, creator.id, { role: 'registry_staff' });
    const token = await t.factories.login(creator.email, creator.password);
    const job = await t.http().get(`/api/v1/exports/${identified}`).set(as(token)).expect(403);
    expect(job.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(job.body).toMatchObject({ status: 403, detail: expect.stringMatching(/administrator/) });
    await t.http().get(`/api/v1/exports/${identified}/file`).set(as(token)).expect(403);
    // Their de-identified job is still theirs: registry staff may have de-identified exports.
    await t.http().get(`/api/v1/exports/${deidentified}/file`).set(as(token)).expect(200);
    // An administrator still may.
    await t
      .http()
      .get(`/api/v1/exports/${identified}/file`)
      .set(as(await t.factories.admin()))
      .expect(200);

    // No download was recorded for the refused requests.
    const downloads = await t.dataSource.query(
      "SELECT actor_id FROM audit_events WHERE action = 'export' AND entity_id = $1 AND details->>'download' = 'true'",
      [identified],
    );
    expect(downloads.map((d: Body) => d.actor_id)).toEqual([creator.id, expect.any(String)]);
    expect(downloads[1].actor_id).not.toBe(creator.id);
  }, 120_000);

  it('stops serving any job to a creator whose role may no longer export', async () => {
    const creator = await t.factories.newUser({ role: 'registry_staff' });
    const id = await createJob(t, creator.token, { dataset: 'cases', format: 'ndjson' });
    expect(await finished(id, creator.token)).toMatchObject({ status: 'done' });
    await patchUser(t, creator.id, { role: 'surgeon' });
    const token = await t.factories.login(creator.email, creator.password);
    await t.http().get(`/api/v1/exports/${id}`).set(as(token)).expect(403);
    await t.http().get(`/api/v1/exports/${id}/file`).set(as(token)).expect(403);
  }, 120_000);
});

describe("export authorisation when the job runs: the creator's rights as they are then (e2e)", () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'ilr-export-security-'));
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await db?.drop();
  });

  it('fails a queued job whose creator lost the right to it, with a clear reason and no file, and runs the others', async () => {
    db = await createTestDatabase();
    // First process: accepts the jobs; its worker is off, so they stay queued.
    const first = await startTestApp({ DATA_DIR: dataDir, EXPORT_WORKER: 'off' }, { database: db });
    apps.push(first);
    const surgeon = await first.factories.newUser({ role: 'surgeon' });
    await first.http().post('/api/v1/cases').set(as(surgeon.token)).send(newCaseBody()).expect(201);
    const demotedAdmin = await first.factories.newUser({ role: 'admin' });
    const deactivatedStaff = await first.factories.newUser({ role: 'registry_staff' });
    const staffTurnedSurgeon = await first.factories.newUser({ role: 'registry_staff' });
    const stillAdmin = await first.factories.newUser({ role: 'admin' });
    const jobs = {
      identifiedOfDemoted: await createJob(first, demotedAdmin.token, {
        dataset: 'cases',
        format: 'csv',
        identified: true,
      }),
      deidentifiedOfDemoted: await createJob(first, demotedAdmin.token, { dataset: 'cases', format: 'csv' }),
      ofDeactivated: await createJob(first, deactivatedStaff.token, { dataset: 'follow-ups', format: 'csv' }),
      ofSurgeon: await createJob(first, staffTurnedSurgeon.token, { dataset: 'cases', format: 'ndjson' }),
      identifiedOfAdmin: await createJob(first, stillAdmin.token, {
        dataset: 'cases',
        format: 'ndjson',
        identified: true,
      }),
    };

    // Item 7: a file that is not ready is a 409 that says the job's state — not a 500.
    const early = await first.http().get(`/api/v1/exports/${jobs.identifiedOfAdmin}/file`).set(as(stillAdmin.token));
    expect(early.status).toBe(409);
    expect(early.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(early.body).toMatchObject({
      status: 409,
      title: 'Conflict',
      jobStatus: 'queued',
      detail: 'The export is queued; its file is not ready.',
    });

    await patchUser(first, demotedAdmin.id, { role: 'registry_staff' });
    await patchUser(first, deactivatedStaff.id, { active: false });
    await patchUser(first, staffTurnedSurgeon.id, { role: 'surgeon' });
    await first.close();

    // Second process on the same database, with its worker.
    const second = await startTestApp({ DATA_DIR: dataDir, EXPORT_WORKER_POLL_MS: '100' }, { database: db });
    apps.push(second);
    const rows = await waitFor(
      async () => Promise.all(Object.values(jobs).map((id) => jobRow(second, id))),
      (all) => all.every((job) => job.status === 'done' || job.status === 'failed'),
    );
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));

    const refused: Array<[string, TestUser, RegExp]> = [
      [jobs.identifiedOfDemoted, demotedAdmin, /no longer an administrator/],
      [jobs.ofDeactivated, deactivatedStaff, /no longer active/],
      [jobs.ofSurgeon, staffTurnedSurgeon, /may no longer export/],
    ];
    for (const [id, creator, reason] of refused) {
      expect(byId[id]).toMatchObject({ status: 'failed', file_name: null, sha256: null });
      expect(byId[id].error).toMatch(reason);
      expect(filesOf(second, id)).toEqual([]);
      const events = (await second.dataSource.query(
        "SELECT actor_id, actor_system, details FROM audit_events WHERE action = 'export' AND entity_id = $1",
        [id],
      )) as Body[];
      expect(events).toEqual([
        {
          actor_id: null,
          actor_system: 'system:export-worker',
          details: expect.objectContaining({ status: 'refused', requestedBy: creator.id, reason: byId[id].error }),
        },
      ]);
    }
    expect(byId[jobs.deidentifiedOfDemoted]).toMatchObject({ status: 'done', rows_written: 1 });
    expect(byId[jobs.identifiedOfAdmin]).toMatchObject({ status: 'done', rows_written: 1 });

    // What the API says of a refused job, to an admin: failed, with the reason; its file a 409.
    const admin = await second.factories.admin();
    const job = await second.http().get(`/api/v1/exports/${jobs.identifiedOfDemoted}`).set(as(admin)).expect(200);
    expect(job.body).toMatchObject({ status: 'failed', error: expect.stringMatching(/no longer an administrator/) });
    const file = await second.http().get(`/api/v1/exports/${jobs.identifiedOfDemoted}/file`).set(as(admin));
    expect(file.status).toBe(409);
    expect(file.body).toMatchObject({ status: 409, jobStatus: 'failed' });
  }, 120_000);

  it('fails an identified job whose creator stops being an admin while it runs, and keeps no file', async () => {
    const app = apps[apps.length - 1];
    const creator = await app.factories.newUser({ role: 'admin' });
    // Hold the export's query on a table lock, so the job is running when the role changes.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE case_facts IN ACCESS EXCLUSIVE MODE');
      const id = await createJob(app, creator.token, { dataset: 'cases', format: 'csv', identified: true });
      const running = await waitFor(
        () => jobRow(app, id),
        (job) => job.status === 'running' && job.rows_total !== null,
      );
      expect(running.status).toBe('running');
      await patchUser(app, creator.id, { role: 'registry_staff' });
      await blocker.query('COMMIT');
      const job = await waitFor(
        () => jobRow(app, id),
        (row) => row.status !== 'running',
      );
      expect(job).toMatchObject({ status: 'failed', file_name: null });
      expect(job.error).toMatch(/no longer an administrator/);
      expect(filesOf(app, id)).toEqual([]);
      expect(readdirSync(app.config.exports.dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    } finally {
      await blocker.end();
    }
  }, 120_000);
});
