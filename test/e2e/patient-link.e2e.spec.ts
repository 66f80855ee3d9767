import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

type Body = Record<string, unknown>;

// A surgeon who may not see a registered patient (another surgeon's) must get no answer computed
// from that patient's stored data: not the death date (after_death), not the birth date
// (age_out_of_range, mismatch). Linking needs the MRN and the birth date; anything else is one fixed
// refusal, audited and throttled.
describe('linking a case to a registered patient (existence oracle)', () => {
  let t: TestApp;
  let owner: TestUser;
  let stranger: TestUser;
  let admin: string;
  const as = (user: TestUser | string) => ({ Authorization: `Bearer ${typeof user === 'string' ? user : user.token}` });
  // What a client can observe of an answer, without the per-request correlation id.
  const observed = (response: { status: number; body: Body }) => {
    const { correlationId: _correlationId, instance: _instance, ...rest } = response.body;
    return { status: response.status, body: rest };
  };

  // A patient registered by `owner` through a case; optionally with a recorded death date.
  const registered = async (birthDate: string, deceasedDate?: string): Promise<{ id: string; mrn: string }> => {
    const mrn = uniqueMrn();
    const created = await t
      .http()
      .post('/api/v1/cases')
      .set(as(owner))
      .send(newCaseBody({ patient: { mrn, birthDate, sex: 'female' }, surgeryDate: '2024-03-14' }))
      .expect(201);
    const patientId = created.body.patientId as string;
    if (deceasedDate) {
      const patient = await t.http().get(`/api/v1/patients/${patientId}`).set(as(owner)).expect(200);
      await t
        .http()
        .patch(`/api/v1/patients/${patientId}`)
        .set(as(owner))
        .set('If-Match', patient.headers.etag)
        .send({ deceasedDate })
        .expect(200);
    }
    return { id: patientId, mrn };
  };

  const linkAttempt = (user: TestUser, mrn: string, birthDate: string, overrides: Body = {}) =>
    t
      .http()
      .post('/api/v1/cases')
      .set(as(user))
      .send(newCaseBody({ patient: { mrn, birthDate, sex: 'female' }, surgeryDate: '2025-03-14', ...overrides }));

  beforeAll(async () => {
    // A high link throttle here; the throttle has its own app below.
    t = await startTestApp({ LOGIN_MAX_FAILURES_PER_EMAIL: '1000' });
    [owner, stranger] = await Promise.all([t.factories.newSurgeon(), t.factories.newSurgeon()]);
    admin = await t.factories.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a stranger the same whatever is stored: no death date, no birth date by bisection', async () => {
    // Two registered patients that differ in everything stored: one died in 2024, one is alive
    // with another birth date. The stranger sends the same (wrong) birth date to both.
    const dead = await registered('1980-01-01', '2024-06-01');
    const alive = await registered('1975-05-05');
    const sent = '1990-04-02';
    const a = await linkAttempt(stranger, dead.mrn, sent);
    const b = await linkAttempt(stranger, alive.mrn, sent);
    expect(a.status).toBe(409);
    expect(observed(a)).toEqual(observed(b));
    expect(a.body).toMatchObject({ code: 'conflict', errors: [{ field: 'patient', code: 'link_refused' }] });
    const text = JSON.stringify(a.body);
    for (const stored of ['1980-01-01', '2024-06-01', 'after_death', 'mismatch', 'age_out_of_range', dead.id]) {
      expect(text).not.toContain(stored);
    }
  });

  it('computes rule errors from what the stranger sent, never from the stored patient', async () => {
    // The stored birth date would make the age at surgery 95; the sent one makes it 5: the only
    // age error is the one the sent date gives, and the stored one gives none of its own.
    const old = await registered('1930-01-01');
    const young = await linkAttempt(stranger, old.mrn, '2020-01-01');
    expect(young.status).toBe(400);
    expect(young.body.errors).toEqual([
      expect.objectContaining({ field: 'patient.birthDate', code: 'age_out_of_range' }),
    ]);
    // The same request for an MRN nobody registered gets the same answer.
    const unknown = await linkAttempt(stranger, uniqueMrn(), '2020-01-01');
    expect(observed(unknown)).toEqual(observed(young));
  });

  it('refuses a correct birth date when the stored death precedes the surgery, with the same answer', async () => {
    const dead = await registered('1980-01-01', '2024-06-01');
    const wrongBirth = await linkAttempt(stranger, dead.mrn, '1981-01-01');
    const rightBirth = await linkAttempt(stranger, dead.mrn, '1980-01-01');
    expect(rightBirth.status).toBe(409);
    expect(observed(rightBirth)).toEqual(observed(wrongBirth));
  });

  it('links with the MRN and the birth date, and the linking surgeon then sees the patient', async () => {
    const patient = await registered('1985-07-07');
    await t.http().get(`/api/v1/patients/${patient.id}`).set(as(stranger)).expect(404);
    const linked = await linkAttempt(stranger, patient.mrn, '1985-07-07').expect(201);
    expect(linked.body.patientId).toBe(patient.id);
    const seen = await t.http().get(`/api/v1/patients/${patient.id}`).set(as(stranger)).expect(200);
    expect(seen.body.birthDate).toBe('1985-07-07');
  });

  it('still tells a surgeon who may see the patient which stored value differs', async () => {
    const patient = await registered('1985-07-07', '2025-01-01');
    const mismatch = await linkAttempt(owner, patient.mrn, '1986-07-07', { surgeryDate: '2024-12-01' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual([expect.objectContaining({ field: 'patient.birthDate', code: 'mismatch' })]);
    const afterDeath = await linkAttempt(owner, patient.mrn, '1985-07-07');
    expect(afterDeath.status).toBe(400);
    expect(afterDeath.body.errors).toEqual([expect.objectContaining({ field: 'surgeryDate', code: 'after_death' })]);
  });

  it('audits each refused link in its own transaction, with no identifier in the event', async () => {
    const patient = await registered('1970-03-03');
    await linkAttempt(stranger, patient.mrn, '1971-03-03').expect(409);
    const rows: Array<{ actor_id: string; action: string; details: Body; changes: unknown[] }> =
      await t.dataSource.query(
        `SELECT actor_id, action, details, changes FROM audit_events WHERE entity_id = $1 AND action = 'link_refused'`,
        [patient.id],
      );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: stranger.id, details: { reason: 'birth_date_mismatch' }, changes: [] });
    expect(JSON.stringify(rows[0])).not.toContain(patient.mrn);
    expect(JSON.stringify(rows[0])).not.toContain('1971-03-03');
    // Nothing else was written: no case, no second patient.
    const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM cases WHERE patient_id = $1`, [
      patient.id,
    ]);
    expect(count).toBe(1);
  });

  it('says no more than "already registered" to a surgeon who may not see the patient on POST /patients', async () => {
    const patient = await registered('1966-06-06');
    const toStranger = await t
      .http()
      .post('/api/v1/patients')
      .set(as(stranger))
      .send({ mrn: patient.mrn, birthDate: '1966-06-06', sex: 'female' })
      .expect(409);
    expect(toStranger.body.code).toBe('duplicate');
    expect(toStranger.body.existingId).toBeUndefined();
    const toAdmin = await t
      .http()
      .post('/api/v1/patients')
      .set(as(admin))
      .send({ mrn: patient.mrn, birthDate: '1966-06-06', sex: 'female' })
      .expect(409);
    expect(toAdmin.body.existingId).toBe(patient.id);
  });

  it('lets the surgeon who registered a patient read it and log a case for it (item 15)', async () => {
    const mrn = uniqueMrn();
    const created = await t
      .http()
      .post('/api/v1/patients')
      .set(as(stranger))
      .send({ mrn, birthDate: '1991-09-09', sex: 'male' })
      .expect(201);
    const read = await t.http().get(`/api/v1/patients/${created.body.id}`).set(as(stranger)).expect(200);
    expect(read.body).toMatchObject({ id: created.body.id, mrn, birthDate: '1991-09-09' });
    const looked = await t.http().get('/api/v1/patients').query({ mrn }).set(as(stranger)).expect(200);
    expect(looked.body.items.map((p: Body) => p.id)).toEqual([created.body.id]);
    const theCase = await t
      .http()
      .post('/api/v1/cases')
      .set(as(stranger))
      .send(newCaseBody({ patient: undefined, patientId: created.body.id }))
      .expect(201);
    expect(theCase.body.patientId).toBe(created.body.id);
    // Another surgeon still may not.
    await t.http().get(`/api/v1/patients/${created.body.id}`).set(as(owner)).expect(404);
  });
});

describe('refused links are throttled like failed logins', () => {
  let t: TestApp;
  let owner: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES_PER_EMAIL: '3', LOGIN_THROTTLE_WINDOW_SECONDS: '600' });
    [owner, stranger] = await Promise.all([t.factories.newSurgeon(), t.factories.newSurgeon()]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 with Retry-After once the attempts are spent, counted before the comparison', async () => {
    const mrn = uniqueMrn();
    await t
      .http()
      .post('/api/v1/cases')
      .set({ Authorization: `Bearer ${owner.token}` })
      .send(newCaseBody({ patient: { mrn, birthDate: '1980-01-01', sex: 'female' } }))
      .expect(201);
    const attempt = (birthDate: string) =>
      t
        .http()
        .post('/api/v1/cases')
        .set({ Authorization: `Bearer ${stranger.token}` })
        .send(newCaseBody({ patient: { mrn, birthDate, sex: 'female' } }));
    // A concurrent burst cannot slip past the limit: at most 3 are compared.
    const burst = await Promise.all(
      ['1981-01-01', '1982-01-01', '1983-01-01', '1984-01-01', '1985-01-01'].map(attempt),
    );
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 409)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    // Even the right birth date is refused now: the guessing budget is spent.
    const right = await attempt('1980-01-01');
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // The owner, who may see the patient, is not throttled.
    await t
      .http()
      .post('/api/v1/cases')
      .set({ Authorization: `Bearer ${owner.token}` })
      .send(newCaseBody({ patient: { mrn, birthDate: '1980-01-01', sex: 'female' }, side: 'left' }))
      .expect(201);
  });
});
