import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { postImport, runImport } from '../support/imports.js';
import { caseTemplate, countRows, csvOf, newCaseRow } from '../support/import-files.js';
import { waitFor } from '../support/wait.js';

// An import outlives the process that ran it as a failed job saying what was kept — never "running",
// never half-applied without saying so.
describe('imports across a restart (e2e)', () => {
  const databases: TestDatabase[] = [];
  const apps: TestApp[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'ilr-import-restart-'));
  // A short lease, so that a next start (and its sweeper) takes over a dead process's import at once.
  const shortLease = { DATA_DIR: dataDir, IMPORT_JOB_LEASE_MS: '1000', IMPORT_JOB_HEARTBEAT_MS: '200' };
  // A lease no batch outlasts, for the graceful-shutdown tests: only the shutdown stops those imports
  // (a short lease also fails a live import whose batch outlasts it: see the last test).
  const longLease = { DATA_DIR: dataDir, IMPORT_JOB_LEASE_MS: '120000', IMPORT_JOB_HEARTBEAT_MS: '200' };
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    for (const db of databases) await db.drop();
  });

  async function start(env: Record<string, string>, db?: TestDatabase): Promise<TestApp> {
    if (!db) databases.push((db = await createTestDatabase()));
    const app = await startTestApp(env, { database: db });
    apps.push(app);
    return app;
  }

  async function stop(app: TestApp): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  // Starts a commit of `rows` new cases and stops the service once some rows are read, before the end.
  async function interruptedImport(onError: 'skip_invalid' | 'reject_all', rows = 2500) {
    const first = await start(longLease);
    const admin = await first.factories.admin();
    const surgeon = await first.factories.newSurgeon();
    const staff = await first.factories.newUser({ role: 'registry_staff' });
    const { header, row } = await caseTemplate(first, admin, surgeon.token);
    // Every 250th row is bad: the import reports them and goes on (skip_invalid).
    const file = csvOf(
      header,
      Array.from({ length: rows }, (_, i) => newCaseRow(row, i % 250 === 1 ? { side: 'middle' } : {})),
    );
    const posted = await postImport(first, staff.token, 'cases', file, { mode: 'commit', onError });
    expect(posted.status).toBe(202);
    const id = posted.body.id as string;
    // Progress is visible while it runs.
    const progress = await waitFor(
      async () => (await first.http().get(`/api/v1/imports/${id}`).set('Authorization', `Bearer ${staff.token}`)).body,
      (body) => body.rowsRead > 0 || body.status !== 'running',
      30_000,
    );
    expect(progress).toMatchObject({ status: 'running', rowsRead: expect.any(Number) });
    expect(progress.rowsRead).toBeLessThan(rows);
    await stop(first);

    const second = await start(longLease, first.db);
    const token = await second.factories.login(staff.email, staff.password);
    const job = (await second.http().get(`/api/v1/imports/${id}`).set('Authorization', `Bearer ${token}`).expect(200))
      .body;
    return { second, job, staff, rows };
  }

  it('fails a skip_invalid commit stopped by a graceful shutdown, keeping exactly the records it says it created', async () => {
    const { second, job, staff, rows } = await interruptedImport('skip_invalid');
    expect(job).toMatchObject({ status: 'failed', finishedAt: expect.any(String) });
    expect(job.rowsRead).toBeLessThan(rows);
    expect(job.created).toBeGreaterThan(0);
    expect(job.error).toContain(`${job.created} records`);
    expect(job.error).toMatch(/kept/);
    // The template's case, and the imported ones the job counts.
    expect(await countRows(second, 'cases')).toBe(1 + job.created);
    expect(
      await countRows(second, 'audit_events', "entity_type = 'case' AND details->>'importId' = $1", [job.id]),
    ).toBe(job.created);
    const events = await second.dataSource.query(
      `SELECT actor_id, details FROM audit_events WHERE entity_type = 'import' AND entity_id = $1`,
      [job.id],
    );
    expect(events).toEqual([
      expect.objectContaining({ actor_id: staff.id, details: expect.objectContaining({ status: 'failed' }) }),
    ]);
  }, 90_000);

  it('fails a reject_all commit stopped by a graceful shutdown, having written nothing', async () => {
    const { second, job } = await interruptedImport('reject_all');
    expect(job).toMatchObject({ status: 'failed', finishedAt: expect.any(String) });
    expect(job.error).toMatch(/nothing was written/);
    expect(await countRows(second, 'cases')).toBe(1);
    expect(await countRows(second, 'patients')).toBe(1);
    expect(await countRows(second, 'audit_events', "details->>'importId' = $1", [job.id])).toBe(0);
    // Its counters say so too: nothing created (as for a rejected import).
    expect(job.created).toBe(0);
  }, 90_000);

  it('fails, on the next start, an import whose process died (its lease ran out), as the import worker', async () => {
    const first = await start(shortLease);
    const admin = await first.factories.admin();
    const surgeon = await first.factories.newSurgeon();
    const staff = await first.factories.newUser({ role: 'registry_staff' });
    const { header, row } = await caseTemplate(first, admin, surgeon.token);
    const file = csvOf(header, [newCaseRow(row), newCaseRow(row)]);
    const dead = await runImport(first, staff.token, 'cases', file, { mode: 'commit', onError: 'skip_invalid' });
    expect(dead).toMatchObject({ status: 'committed', created: 2 });
    const alive = await runImport(first, staff.token, 'cases', file, { mode: 'validate' });
    expect(alive.status).toBe('validated');
    await stop(first);

    // As if the first had died mid-way, and another process were still running the second.
    const owner = new pg.Client({ connectionString: first.db.ownerUrl });
    await owner.connect();
    try {
      await owner.query(
        `UPDATE import_jobs SET status = 'running', claimed_by = 'dead', lease_expires_at = now() - interval '1 minute',
                finished_at = NULL, error = NULL WHERE id = $1`,
        [dead.id],
      );
      await owner.query(
        `UPDATE import_jobs SET status = 'running', claimed_by = 'alive', lease_expires_at = now() + interval '1 hour',
                finished_at = NULL, error = NULL WHERE id = $1`,
        [alive.id],
      );
    } finally {
      await owner.end();
    }

    const second = await start(shortLease, first.db);
    const token = await second.factories.login(staff.email, staff.password);
    const read = async (id: string) =>
      (await second.http().get(`/api/v1/imports/${id}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    const failed = await waitFor(
      () => read(dead.id),
      (body) => body.status !== 'running',
    );
    expect(failed).toMatchObject({ status: 'failed', created: 2, finishedAt: expect.any(String) });
    expect(failed.error).toContain('2 records');
    expect(await countRows(second, 'cases')).toBe(3);
    const events = await second.dataSource.query(
      `SELECT actor_id, actor_system, details FROM audit_events
       WHERE entity_type = 'import' AND entity_id = $1 AND actor_system IS NOT NULL`,
      [dead.id],
    );
    expect(events).toEqual([
      {
        actor_id: null,
        actor_system: 'system:import-worker',
        details: expect.objectContaining({ status: 'failed', reason: 'interrupted', requestedBy: staff.id }),
      },
    ]);
    // A job another live process holds (its lease not run out) is left to it, through a sweep or two.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await read(alive.id)).toMatchObject({ status: 'running' });
  }, 60_000);

  it('keeps a live import running when a batch outlasts the lease, and never applies more than it says', async () => {
    const app = await start(shortLease);
    const admin = await app.factories.admin();
    const surgeon = await app.factories.newSurgeon();
    const staff = await app.factories.newUser({ role: 'registry_staff' });
    const { header, row } = await caseTemplate(app, admin, surgeon.token);
    const rows = 1500;
    const file = csvOf(
      header,
      Array.from({ length: rows }, () => newCaseRow(row)),
    );
    const finished = await runImport(app, staff.token, 'cases', file, { mode: 'commit', onError: 'skip_invalid' });
    // The run in this process has stopped (finished, or given up its batches).
    const ended = ['import finished', 'import failed', 'import lease lost: this run stopped'];
    await waitFor(
      async () => app.logs.some((l) => l.importId === finished.id && ended.includes(String(l.msg))),
      (done) => done,
      60_000,
    );
    const job = (
      await app.http().get(`/api/v1/imports/${finished.id}`).set('Authorization', `Bearer ${staff.token}`).expect(200)
    ).body;
    // Whatever came of it, the job's counters and its message say what the database holds.
    const imported = await countRows(
      app,
      'cases',
      "id IN (SELECT entity_id FROM audit_events WHERE entity_type = 'case' AND details->>'importId' = $1)",
      [job.id],
    );
    expect({ created: job.created, imported }).toEqual({ created: imported, imported });
    if (job.status === 'failed') expect(job.error).toContain(`${job.created} records`);
    // The process reading the file is alive: its import is not failed as interrupted.
    expect(job).toMatchObject({ status: 'committed', rowsRead: rows, created: rows, error: null });
  }, 120_000);
});
