import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

type Case = Record<string, any>;

describe('case list: one patient’s cases (patientId filter, e2e)', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let staff: TestUser;
  let patientId: string;
  const mrn = uniqueMrn();
  const cases: Case[] = [];
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
    [a, b, staff] = await Promise.all([
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'registry_staff' }),
    ]);
    // Staff register the patient's left hip for surgeon a, then their right hip for surgeon b.
    const first = await t
      .http()
      .post('/api/v1/cases')
      .set(as(staff.token))
      .send(newCaseBody({ surgeonId: a.id, side: 'left', patient: { mrn, birthDate: '1991-06-01', sex: 'male' } }))
      .expect(201);
    patientId = first.body.patientId;
    const second = await t
      .http()
      .post('/api/v1/cases')
      .set(as(staff.token))
      .send({
        ...newCaseBody({ surgeonId: b.id, side: 'right', surgeryDate: '2025-04-01', patientId }),
        patient: undefined,
      })
      .expect(201);
    // Another patient's case of surgeon a, which the filter leaves out.
    const other = await t.http().post('/api/v1/cases').set(as(a.token)).send(newCaseBody()).expect(201);
    cases.push(first.body, second.body, other.body);
  });
  afterAll(async () => {
    await t.close();
  });

  const list = (token: string, query: Record<string, unknown>) =>
    t.http().get('/api/v1/cases').query(query).set(as(token)).expect(200);

  it('staff find the patient by MRN and list exactly that patient’s cases, of every surgeon', async () => {
    const found = await t.http().get('/api/v1/patients').query({ mrn }).set(as(staff.token)).expect(200);
    expect(found.body.items.map((p: Case) => p.id)).toEqual([patientId]);
    const page = await list(staff.token, { patientId });
    expect(page.body.items.map((c: Case) => c.id)).toEqual([cases[0].id, cases[1].id]);
    expect(new Set(page.body.items.map((c: Case) => c.surgeonId))).toEqual(new Set([a.id, b.id]));
    expect(page.body.items.every((c: Case) => c.patientId === patientId)).toBe(true);
  });

  it('combines with the other filters', async () => {
    const right = await list(staff.token, { patientId, side: 'right' });
    expect(right.body.items.map((c: Case) => c.id)).toEqual([cases[1].id]);
    const ofA = await list(staff.token, { patientId, surgeonId: a.id });
    expect(ofA.body.items.map((c: Case) => c.id)).toEqual([cases[0].id]);
  });

  it('a surgeon still sees only their own cases of the patient', async () => {
    const ofA = await list(a.token, { patientId });
    expect(ofA.body.items.map((c: Case) => c.id)).toEqual([cases[0].id]);
    const ofB = await list(b.token, { patientId });
    expect(ofB.body.items.map((c: Case) => c.id)).toEqual([cases[1].id]);
  });

  it('an unknown patient lists nothing; a malformed id is a 400', async () => {
    const none = await list(staff.token, { patientId: '00000000-0000-4000-8000-000000000000' });
    expect(none.body.items).toEqual([]);
    await t.http().get('/api/v1/cases').query({ patientId: 'not-a-uuid' }).set(as(staff.token)).expect(400);
  });
});
