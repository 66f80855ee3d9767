import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdempotencyPruner } from '@ilr/registry';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// Idempotency records keep only what a replay needs (status, the created record's id): no copy of
// a response body, which held MRNs and birth dates in clear. Old keys are pruned.
describe('idempotency records (item 8)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  const as = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const storedRow = async (key: string) =>
    (await t.dataSource.query('SELECT * FROM idempotency_keys WHERE user_id = $1 AND key = $2', [surgeon.id, key]))[0];

  beforeAll(async () => {
    t = await startTestApp({ IDEMPOTENCY_RETENTION_HOURS: '24' });
    surgeon = await t.factories.newSurgeon();
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps no MRN or birth date at rest for POST /patients, and replays from the record', async () => {
    const mrn = uniqueMrn();
    const body = { mrn, birthDate: '1979-11-30', sex: 'male' };
    const first = await t
      .http()
      .post('/api/v1/patients')
      .set(as(surgeon))
      .set('Idempotency-Key', 'patient-1')
      .send(body)
      .expect(201);
    const row = await storedRow('patient-1');
    expect(row).toMatchObject({ response_status: 201, resource_id: first.body.id });
    const text = JSON.stringify(row);
    expect(text).not.toContain(mrn);
    expect(text).not.toContain('1979-11-30');
    expect(Object.keys(row).sort()).toEqual(
      ['created_at', 'key', 'request_hash', 'resource_id', 'response_status', 'user_id'].sort(),
    );

    const retry = await t
      .http()
      .post('/api/v1/patients')
      .set(as(surgeon))
      .set('Idempotency-Key', 'patient-1')
      .send(body)
      .expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers.etag).toBe(first.headers.etag);
    expect(retry.body).toEqual(first.body);
  });

  it('keeps no case body either: a replayed case is rebuilt from the stored case', async () => {
    const body = newCaseBody({ notes: 'free text that may identify the patient' });
    const first = await t
      .http()
      .post('/api/v1/cases')
      .set(as(surgeon))
      .set('Idempotency-Key', 'case-1')
      .send(body)
      .expect(201);
    const text = JSON.stringify(await storedRow('case-1'));
    expect(text).not.toContain('free text');
    expect(text).not.toContain((body.patient as { mrn: string }).mrn);
    const retry = await t
      .http()
      .post('/api/v1/cases')
      .set(as(surgeon))
      .set('Idempotency-Key', 'case-1')
      .send(body)
      .expect(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('replays follow-ups and complications from their records', async () => {
    const theCase = await t.http().post('/api/v1/cases').set(as(surgeon)).send(newCaseBody()).expect(201);
    const visit = { visitDate: '2025-04-25', contactMode: 'clinic', snapping: 'none', groinPain: 2 };
    const firstVisit = await t
      .http()
      .post(`/api/v1/cases/${theCase.body.id}/follow-ups`)
      .set(as(surgeon))
      .set('Idempotency-Key', 'visit-1')
      .send(visit)
      .expect(201);
    const retryVisit = await t
      .http()
      .post(`/api/v1/cases/${theCase.body.id}/follow-ups`)
      .set(as(surgeon))
      .set('Idempotency-Key', 'visit-1')
      .send(visit)
      .expect(201);
    expect(retryVisit.body).toEqual(firstVisit.body);
    const complication = { type: 'lfcn_neuropraxia', onsetDate: '2025-03-20', sinkGrade: 1 };
    const firstComplication = await t
      .http()
      .post(`/api/v1/cases/${theCase.body.id}/complications`)
      .set(as(surgeon))
      .set('Idempotency-Key', 'complication-1')
      .send(complication);
    expect(firstComplication.status).toBe(201);
    const retryComplication = await t
      .http()
      .post(`/api/v1/cases/${theCase.body.id}/complications`)
      .set(as(surgeon))
      .set('Idempotency-Key', 'complication-1')
      .send(complication)
      .expect(201);
    expect(retryComplication.body).toEqual(firstComplication.body);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM follow_ups WHERE case_id = $1', [
      theCase.body.id,
    ]);
    expect(n).toBe(1);
  });

  it('prunes keys older than the retention period and keeps the recent ones', async () => {
    await t
      .http()
      .post('/api/v1/patients')
      .set(as(surgeon))
      .set('Idempotency-Key', 'old-key')
      .send({ mrn: uniqueMrn(), birthDate: '1980-01-01', sex: 'female' })
      .expect(201);
    await t
      .http()
      .post('/api/v1/patients')
      .set(as(surgeon))
      .set('Idempotency-Key', 'new-key')
      .send({ mrn: uniqueMrn(), birthDate: '1980-01-01', sex: 'female' })
      .expect(201);
    await t.dataSource.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1 AND key = 'old-key'`,
      [surgeon.id],
    );
    const removed = await t.app.get(IdempotencyPruner).prune();
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await storedRow('old-key')).toBeUndefined();
    expect(await storedRow('new-key')).toBeDefined();
  });
});
