import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/wait.js';

// An export job outlives the process that accepted it: queued or running when the API stops, it is
// finished by the next start — never left "running".
describe('export jobs across a restart (e2e)', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'ilr-restart-'));
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await db?.drop();
  });

  it('finishes a job that was queued, and one that was running, when the process stopped', async () => {
    db = await createTestDatabase();
    const env = { DATA_DIR: dataDir, EXPORT_WORKER_POLL_MS: '100' };
    // First process: accepts the jobs but runs no worker (as if it stopped before it could).
    const first = await startTestApp({ ...env, EXPORT_WORKER: 'off' }, { database: db });
    apps.push(first);
    const staff = await first.factories.newUser({ role: 'registry_staff' });
    const surgeon = await first.factories.newUser({ role: 'surgeon' });
    for (let i = 0; i < 3; i++) {
      await first
        .http()
        .post('/api/v1/cases')
        .set('Authorization', `Bearer ${surgeon.token}`)
        .send(newCaseBody())
        .expect(201);
    }
    const queued = await first
      .http()
      .post('/api/v1/exports')
      .set('Authorization', `Bearer ${staff.token}`)
      .send({ dataset: 'cases', format: 'csv' })
      .expect(202);
    const interrupted = await first
      .http()
      .post('/api/v1/exports')
      .set('Authorization', `Bearer ${staff.token}`)
      .send({ dataset: 'cases', format: 'ndjson' })
      .expect(202);
    expect(queued.body.status).toBe('queued');
    // The second job had been claimed by a worker that died mid-way.
    await first.dataSource.query(
      "UPDATE export_jobs SET status = 'running', attempts = 1, started_at = now(), rows_written = 1 WHERE id = $1",
      [interrupted.body.id],
    );
    await first.close();

    // Second process on the same database and data directory, with its worker.
    const second = await startTestApp(env, { database: db });
    apps.push(second);
    const token = await second.factories.login(staff.email, staff.password);
    for (const id of [queued.body.id, interrupted.body.id]) {
      const job = await waitFor(
        async () => (await second.http().get(`/api/v1/exports/${id}`).set('Authorization', `Bearer ${token}`)).body,
        (body) => body.status === 'done' || body.status === 'failed',
      );
      expect(job).toMatchObject({ status: 'done', rows: 3, progress: 1 });
      const file = await second
        .http()
        .get(`/api/v1/exports/${id}/file`)
        .set('Authorization', `Bearer ${token}`)
        .buffer(true)
        .parse((res, cb) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => cb(null, Buffer.concat(parts)));
        })
        .expect(200);
      expect(
        createHash('sha256')
          .update(file.body as Buffer)
          .digest('hex'),
      ).toBe(job.sha256);
      const manifest = JSON.parse(
        readFileSync(join(second.config.exports.dir, 'manifests', `${id}.manifest.json`), 'utf8'),
      );
      expect(manifest).toMatchObject({ rows: 3, sha256: job.sha256, identified: false });
    }
    const [{ attempts }] = await second.dataSource.query('SELECT attempts FROM export_jobs WHERE id = $1', [
      interrupted.body.id,
    ]);
    expect(attempts).toBe(2);
  });

  it('fails a job clearly once restarts have interrupted it too often', async () => {
    const other = await createTestDatabase();
    try {
      const app = await startTestApp({ DATA_DIR: dataDir, EXPORT_WORKER: 'off' }, { database: other });
      const staff = await app.factories.newUser({ role: 'registry_staff' });
      const job = await app
        .http()
        .post('/api/v1/exports')
        .set('Authorization', `Bearer ${staff.token}`)
        .send({ dataset: 'cases', format: 'csv' })
        .expect(202);
      await app.dataSource.query("UPDATE export_jobs SET status = 'running', attempts = 3 WHERE id = $1", [
        job.body.id,
      ]);
      await app.close();
      const restarted = await startTestApp({ DATA_DIR: dataDir, EXPORT_WORKER_POLL_MS: '100' }, { database: other });
      try {
        const token = await restarted.factories.login(staff.email, staff.password);
        const body = (
          await restarted
            .http()
            .get(`/api/v1/exports/${job.body.id}`)
            .set('Authorization', `Bearer ${token}`)
            .expect(200)
        ).body;
        expect(body.status).toBe('failed');
        expect(body.error).toMatch(/interrupted/);
      } finally {
        await restarted.close();
      }
    } finally {
      await other.drop();
    }
  });
});
