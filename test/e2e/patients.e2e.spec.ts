import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

describe('patients (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  let otherSurgeon: TestUser;
  let staff: TestUser;
  let admin: string;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
    [surgeon, otherSurgeon, staff] = await Promise.all([
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'registry_staff' }),
    ]);
    admin = await t.factories.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a patient, and answers a known MRN with 409 naming the existing patient', async () => {
    const mrn = uniqueMrn();
    const created = await t
      .http()
      .post('/api/v1/patients')
      .set(as(staff.token))
      .send({ mrn, birthDate: '1979-11-30', sex: 'male' })
      .expect(201);
    expect(created.body).toMatchObject({
      mrn,
      birthDate: '1979-11-30',
      sex: 'male',
      consent: 'given',
      deceasedDate: null,
      version: 1,
    });
    expect(created.headers.location).toBe(`/api/v1/patients/${created.body.id}`);
    const duplicate = await t
      .http()
      .post('/api/v1/patients')
      .set(as(staff.token))
      .send({ mrn: mrn.toLowerCase(), birthDate: '1979-11-30', sex: 'male' })
      .expect(409);
    expect(duplicate.body).toMatchObject({ status: 409, code: 'duplicate', existingId: created.body.id });
    expect(JSON.stringify(duplicate.body)).not.toContain(mrn);
  });

  it('finds a patient by exact MRN for those who may see it', async () => {
    const mrn = uniqueMrn();
    const created = await t
      .http()
      .post('/api/v1/cases')
      .set(as(surgeon.token))
      .send(newCaseBody({ patient: { mrn, birthDate: '1988-02-29', sex: 'female' } }))
      .expect(201);
    const found = await t.http().get('/api/v1/patients').query({ mrn }).set(as(surgeon.token)).expect(200);
    expect(found.body.items).toEqual([
      expect.objectContaining({ id: created.body.patientId, mrn, birthDate: '1988-02-29' }),
    ]);
    const forOther = await t.http().get('/api/v1/patients').query({ mrn }).set(as(otherSurgeon.token)).expect(200);
    expect(forOther.body.items).toEqual([]);
    const forStaff = await t.http().get('/api/v1/patients').query({ mrn }).set(as(staff.token)).expect(200);
    expect(forStaff.body.items).toHaveLength(1);
    const none = await t.http().get('/api/v1/patients').query({ mrn: 'NO-SUCH-MRN' }).set(as(staff.token)).expect(200);
    expect(none.body.items).toEqual([]);
    // A look-up by MRN is a read of an identified record: it is in the audit trail, without the MRN.
    const events = await t.dataSource.query(
      "SELECT * FROM audit_events WHERE entity_type = 'patient' AND entity_id = $1 AND action = 'read'",
      [created.body.patientId],
    );
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(events)).not.toContain(mrn);
    expect(JSON.stringify(t.logs)).not.toContain(mrn);
  });

  it('updates consent and deceased date with If-Match, and checks the dates', async () => {
    const created = await t
      .http()
      .post('/api/v1/patients')
      .set(as(staff.token))
      .send({ mrn: uniqueMrn(), birthDate: '1950-05-05', sex: 'other' })
      .expect(201);
    const url = `/api/v1/patients/${created.body.id}`;
    await t.http().patch(url).set(as(staff.token)).send({ consent: 'withdrawn' }).expect(428);
    const updated = await t
      .http()
      .patch(url)
      .set(as(staff.token))
      .set('If-Match', '"1"')
      .send({ consent: 'withdrawn', deceasedDate: '2024-01-02' })
      .expect(200);
    expect(updated.body).toMatchObject({ consent: 'withdrawn', deceasedDate: '2024-01-02', version: 2 });
    expect(updated.headers.etag).toBe('"2"');
    await t.http().patch(url).set(as(staff.token)).set('If-Match', '"1"').send({ sex: 'female' }).expect(412);
    const beforeBirth = await t
      .http()
      .patch(url)
      .set(as(staff.token))
      .set('If-Match', '"2"')
      .send({ deceasedDate: '1949-01-01' })
      .expect(400);
    expect(beforeBirth.body.errors).toEqual([expect.objectContaining({ field: 'deceasedDate', code: 'before_birth' })]);
    const cleared = await t
      .http()
      .patch(url)
      .set(as(staff.token))
      .set('If-Match', '"2"')
      .send({ deceasedDate: null })
      .expect(200);
    expect(cleared.body.deceasedDate).toBeNull();
  });

  it('keeps every case of the patient within the age rule when the birth date changes', async () => {
    const created = await t
      .http()
      .post('/api/v1/cases')
      .set(as(surgeon.token))
      .send(
        newCaseBody({ surgeryDate: '2020-06-01', patient: { mrn: uniqueMrn(), birthDate: '2005-01-01', sex: 'male' } }),
      )
      .expect(201);
    const url = `/api/v1/patients/${created.body.patientId}`;
    const response = await t
      .http()
      .patch(url)
      .set(as(surgeon.token))
      .set('If-Match', '"1"')
      .send({ birthDate: '2012-01-01' })
      .expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'birthDate', code: 'age_out_of_range' })]);
  });

  it('lets only an administrator correct an MRN', async () => {
    const mrn = uniqueMrn();
    const created = await t
      .http()
      .post('/api/v1/patients')
      .set(as(staff.token))
      .send({ mrn, birthDate: '1970-01-01', sex: 'male' })
      .expect(201);
    const url = `/api/v1/patients/${created.body.id}`;
    await t.http().patch(url).set(as(staff.token)).set('If-Match', '"1"').send({ mrn: uniqueMrn() }).expect(403);
    const corrected = uniqueMrn();
    const response = await t
      .http()
      .patch(url)
      .set(as(admin))
      .set('If-Match', '"1"')
      .send({ mrn: corrected })
      .expect(200);
    expect(response.body.mrn).toBe(corrected);
    const found = await t.http().get('/api/v1/patients').query({ mrn: corrected }).set(as(admin)).expect(200);
    expect(found.body.items[0].id).toBe(created.body.id);
    const old = await t.http().get('/api/v1/patients').query({ mrn }).set(as(admin)).expect(200);
    expect(old.body.items).toEqual([]);
    const [event] = await t.dataSource.query(
      "SELECT changes FROM audit_events WHERE entity_id = $1 AND action = 'update'",
      [created.body.id],
    );
    expect(event.changes).toEqual([{ field: 'mrn', from: '[redacted]', to: '[redacted]' }]);
  });

  it('validates patient input with field paths', async () => {
    const response = await t
      .http()
      .post('/api/v1/patients')
      .set(as(staff.token))
      .send({ mrn: 'x'.repeat(33), birthDate: '2999-01-01', sex: 'f' })
      .expect(400);
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['mrn', 'sex']);
    const future = await t
      .http()
      .post('/api/v1/patients')
      .set(as(staff.token))
      .send({ mrn: uniqueMrn(), birthDate: '2999-01-01', sex: 'female' })
      .expect(400);
    expect(future.body.errors).toEqual([expect.objectContaining({ field: 'birthDate', code: 'in_future' })]);
  });
});
