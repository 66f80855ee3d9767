import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';
import { waitFor } from '../support/wait.js';

describe('consistency across records (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  let staff: TestUser;
  const as = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

  beforeAll(async () => {
    t = await startTestApp({ EXPORT_WORKER_POLL_MS: '100' });
    [surgeon, staff] = await Promise.all([
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'registry_staff' }),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  it("refuses a death date before one of the patient's operations, and keeps the facts in step with one after", async () => {
    const created = await t
      .http()
      .post('/api/v1/cases')
      .set(as(surgeon))
      .send(newCaseBody({ surgeryDate: '2024-05-01' }))
      .expect(201);
    const patientUrl = `/api/v1/patients/${created.body.patientId}`;
    const refused = await t
      .http()
      .patch(patientUrl)
      .set(as(staff))
      .set('If-Match', '"1"')
      .send({ deceasedDate: '2024-01-01' })
      .expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'deceasedDate', code: 'before_surgery' })]);
    await t
      .http()
      .patch(patientUrl)
      .set(as(staff))
      .set('If-Match', '"1"')
      .send({ deceasedDate: '2024-07-01' })
      .expect(200);
    // Last contact is now the death, 61 days after surgery: the case is censored there.
    const [facts] = await t.dataSource.query('SELECT last_contact_day FROM case_facts WHERE case_id = $1', [
      created.body.id,
    ]);
    expect(facts.last_contact_day).toBe(61);
  });

  it('answers a forged list cursor with a 400, not a database error', async () => {
    const forged = Buffer.from(JSON.stringify({ surgeryDate: 'x', registryCode: 'y' })).toString('base64url');
    const response = await t.http().get('/api/v1/cases').query({ cursor: forged }).set(as(staff)).expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    const users = Buffer.from(JSON.stringify({ email: 'a@b.c', id: 'not-a-uuid' })).toString('base64url');
    await t
      .http()
      .get('/api/v1/users')
      .query({ cursor: users })
      .set('Authorization', `Bearer ${await t.factories.admin()}`)
      .expect(400);
  });

  it("records the download of an export job's file as an export by the one who downloads it", async () => {
    const job = await t
      .http()
      .post('/api/v1/exports')
      .set(as(staff))
      .send({ dataset: 'cases', format: 'csv' })
      .expect(202);
    const done = await waitFor(
      async () => (await t.http().get(`/api/v1/exports/${job.body.id}`).set(as(staff))).body,
      (b) => b.status === 'done',
    );
    expect(done.status).toBe('done');
    const admin = await t.factories.admin();
    await t.http().get(`/api/v1/exports/${job.body.id}/file`).set('Authorization', `Bearer ${admin}`).expect(200);
    const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${admin}`).expect(200);
    const events = await t.dataSource.query(
      "SELECT actor_id, actor_system, details FROM audit_events WHERE action = 'export' AND entity_id = $1 ORDER BY id",
      [job.body.id],
    );
    // The job's completion is the worker's, in the requester's name; the download is the downloader's.
    expect(
      events.map(
        (e: {
          actor_id: string;
          actor_system: string | null;
          details: { download?: boolean; requestedBy?: string };
        }) => [e.actor_id ?? e.actor_system, e.details.requestedBy ?? null, e.details.download ?? false],
      ),
    ).toEqual([
      ['system:export-worker', staff.id, false],
      [me.body.id, null, true],
    ]);
  });

  it('keeps a facts row for every live case', async () => {
    const [row] = await t.dataSource.query(
      'SELECT count(*)::int AS missing FROM cases c LEFT JOIN case_facts f ON f.case_id = c.id WHERE f.case_id IS NULL',
    );
    expect(row.missing).toBe(0);
  });
});
