import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// Inputs that once slipped past validation: each must be a 400 naming the field, with nothing written.
describe('hostile and malformed input (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  const count = async () => (await t.dataSource.query('SELECT count(*)::int AS n FROM cases'))[0].n as number;

  beforeAll(async () => {
    t = await startTestApp();
    surgeon = await t.factories.newUser({ role: 'surgeon' });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['findings', 'release', 'diagnosticInjection', 'impingementRepair', 'patient', 'examination', 'imaging'])(
    'refuses an array where the object %s belongs',
    async (field) => {
      const before = await count();
      const response = await t
        .http()
        .post('/api/v1/cases')
        .set('Authorization', `Bearer ${surgeon.token}`)
        .send(newCaseBody({ [field]: [{}] }))
        .expect(400);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field, code: 'invalid_type' }));
      expect(await count()).toBe(before);
    },
  );

  it('refuses an array as a nested object in a PATCH, leaving the case unchanged', async () => {
    const created = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${surgeon.token}`)
      .send(newCaseBody())
      .expect(201);
    const response = await t
      .http()
      .patch(`/api/v1/cases/${created.body.id}`)
      .set('Authorization', `Bearer ${surgeon.token}`)
      .set('If-Match', '"1"')
      .send({ findings: [] })
      .expect(400);
    expect(response.body.errors).toContainEqual(expect.objectContaining({ field: 'findings', code: 'invalid_type' }));
    const read = await t
      .http()
      .get(`/api/v1/cases/${created.body.id}`)
      .set('Authorization', `Bearer ${surgeon.token}`)
      .expect(200);
    expect(read.body.findings).toEqual(created.body.findings);
    expect(read.body.version).toBe(1);
  });

  it('refuses NUL characters in text with a 400 naming the field', async () => {
    const before = await count();
    const response = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${surgeon.token}`)
      .send(newCaseBody({ notes: 'a\u0000b' }))
      .expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'notes', code: 'invalid_characters' })]);
    const login = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'x\u0000@test.ilr', password: 'whatever-pass' })
      .expect(400);
    expect(login.body.errors[0].field).toBe('email');
    const query = await t
      .http()
      .get('/api/v1/patients')
      .query({ mrn: 'A\u0000B' })
      .set('Authorization', `Bearer ${surgeon.token}`)
      .expect(400);
    expect(query.body.errors[0].field).toBe('mrn');
    expect(await count()).toBe(before);
  });

  it('refuses lone surrogates (valid JSON escapes, not text) with a 400 naming the field', async () => {
    const admin = await t.factories.admin();
    // Built by hand: JSON.stringify would never write a lone surrogate escape.
    const raw = (field: string) =>
      JSON.stringify({
        email: 'lone@test.ilr',
        displayName: 'Dr Lone',
        role: 'surgeon',
        password: 'long-enough-password',
      }).replace(`"${field}":"`, `"${field}":"\\ud800`);
    for (const field of ['email', 'displayName']) {
      const response = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', 'application/json')
        .send(raw(field))
        .expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field, code: 'invalid_characters' })]);
    }
    const paired = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${surgeon.token}`)
      .send(newCaseBody({ notes: 'G clef 𝄞, a surrogate pair' }))
      .expect(201);
    expect(paired.body.notes).toBe('G clef 𝄞, a surrogate pair');
  });

  it('refuses __proto__ and constructor as unknown properties', async () => {
    const raw = JSON.stringify(newCaseBody()).replace('"side":"right"', '"side":"right","__proto__":{"admin":true}');
    const response = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${surgeon.token}`)
      .set('Content-Type', 'application/json')
      .send(raw)
      .expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: '__proto__', code: 'unknown_property' })]);
    const nested = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${surgeon.token}`)
      .send(
        newCaseBody({
          release: {
            location: 'lesser_trochanter',
            technique: 'complete_tenotomy',
            tendonBundles: 1,
            constructor: 'x',
          },
        }),
      )
      .expect(400);
    expect(nested.body.errors).toEqual([
      expect.objectContaining({ field: 'release.constructor', code: 'unknown_property' }),
    ]);
  });

  it('sends no body-hash ETag on errors: ETags are record versions only', async () => {
    const response = await t
      .http()
      .get('/api/v1/cases/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${surgeon.token}`)
      .expect(404);
    expect(response.headers.etag).toBeUndefined();
  });
});

describe('records of a deleted case (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 404 for deleting a visit or complication of a deleted case', async () => {
    const surgeon = await t.factories.newUser({ role: 'surgeon' });
    const auth = { Authorization: `Bearer ${surgeon.token}` };
    const created = await t.http().post('/api/v1/cases').set(auth).send(newCaseBody()).expect(201);
    const visit = await t
      .http()
      .post(`/api/v1/cases/${created.body.id}/follow-ups`)
      .set(auth)
      .send({ visitDate: '2025-05-01', contactMode: 'clinic' })
      .expect(201);
    const complication = await t
      .http()
      .post(`/api/v1/cases/${created.body.id}/complications`)
      .set(auth)
      .send({ type: 'persistent_groin_pain', onsetDate: '2025-05-01', sinkGrade: 1 })
      .expect(201);
    await t
      .http()
      .delete(`/api/v1/cases/${created.body.id}`)
      .set(auth)
      .set('If-Match', '"1"')
      .send({ reason: 'wrong patient' })
      .expect(204);
    await t
      .http()
      .delete(`/api/v1/follow-ups/${visit.body.id}`)
      .set(auth)
      .set('If-Match', '"1"')
      .send({ reason: 'x' })
      .expect(404);
    await t
      .http()
      .delete(`/api/v1/complications/${complication.body.id}`)
      .set(auth)
      .set('If-Match', '"1"')
      .send({ reason: 'x' })
      .expect(404);
    const [row] = await t.dataSource.query('SELECT deleted_at FROM follow_ups WHERE id = $1', [visit.body.id]);
    expect(row.deleted_at).toBeNull();
  });
});
