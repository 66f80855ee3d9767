import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// Issue 10 items 11 and 12: the work a request can cause is bounded before validation, and every date
// outside what PostgreSQL and the rules accept is a 400, not a 500.

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const manyKeys = (count: number, extra: Record<string, unknown> = {}) => {
  const body: Record<string, unknown> = { ...extra };
  for (let i = 0; i < count; i++) body[`k${i}`] = 1;
  return JSON.stringify(body);
};

describe('bounded input (e2e)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    // Many refused sign-ins from one address: the sign-in throttle is not what these tests are about.
    t = await startTestApp({ LOGIN_MAX_FAILURES_PER_EMAIL: '1000', LOGIN_MAX_FAILURES_PER_IP: '10000' });
    admin = await t.factories.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: string, token?: string) => {
    const request = t.http().post(path).set('Content-Type', 'application/json');
    if (token) request.set('Authorization', `Bearer ${token}`);
    return request.send(body);
  };

  it('refuses a 650 KB login body with 60,000 unknown keys with 413, unread', async () => {
    const started = performance.now();
    const response = await post('/api/v1/auth/login', manyKeys(60_000, { email: 'a@test.ilr', password: 'x' }));
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(response.body.detail).toContain('16kb');
    expect(response.text.length).toBeLessThan(1000);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('keeps the smaller limit on the login even with an Authorization header, and for anonymous callers', async () => {
    const body = JSON.stringify({ email: 'a@test.ilr', password: 'p'.repeat(20_000) });
    const login = await post('/api/v1/auth/login', body, admin);
    expect(login.status).toBe(413);
    const anonymous = await post('/api/v1/users', body);
    expect(anonymous.status).toBe(413);
    const forged = await post('/api/v1/users', body, 'not-a-token');
    expect(forged.status).toBe(401);
  });

  it('keeps config.bodyLimit for an authenticated route with credentials', async () => {
    // 30 KB: over the anonymous limit, well under 1mb.
    const response = await post(
      '/api/v1/users',
      JSON.stringify({ email: 'x@test.ilr', blob: 'x'.repeat(30_000) }),
      admin,
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual(expect.objectContaining({ field: 'blob', code: 'unknown_property' }));
  });

  it('reports at most 50 field errors and counts the rest', async () => {
    const response = await post('/api/v1/auth/login', manyKeys(900, { email: 'a@test.ilr', password: 'x' }));
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(50);
    expect(response.body.errors[0]).toEqual({
      field: 'k0',
      code: 'unknown_property',
      message: 'k0 is not a known property',
    });
    expect(response.body.errorsOmitted).toBe(850);
    const authenticated = await post('/api/v1/users', manyKeys(999), admin);
    expect(authenticated.status).toBe(400);
    expect(authenticated.body.errors).toHaveLength(50);
    // 999 unknown keys and the 4 required fields missing
    expect(authenticated.body.errorsOmitted).toBe(1_003 - 50);
  });

  it('refuses an object with more than 1,000 members before parsing', async () => {
    const response = await post('/api/v1/auth/login', manyKeys(1_001));
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: '', code: 'too_many_members', message: expect.stringContaining('1000') },
    ]);
    const nestedObject = await post(
      '/api/v1/cases',
      JSON.stringify(newCaseBody({ release: JSON.parse(manyKeys(1_200)) })),
      admin,
    );
    expect(nestedObject.body.errors).toEqual([expect.objectContaining({ code: 'too_many_members' })]);
  });

  it('keeps the worst authenticated body within a bounded time', async () => {
    // 19 objects of 1,000 members each: every bound just met.
    const objects: Record<string, unknown> = {};
    for (let i = 0; i < 19; i++) objects[`o${i}`] = JSON.parse(manyKeys(999));
    const started = performance.now();
    const response = await post('/api/v1/users', JSON.stringify(objects), admin);
    expect(response.status).toBe(400);
    expect(response.text.length).toBeLessThan(10_000);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('refuses JSON nested 5,000 deep with a 400 naming the depth limit, anonymous or not', async () => {
    for (const [path, token] of [
      ['/api/v1/auth/login', undefined],
      ['/api/v1/cases', admin],
      ['/api/v1/users', admin],
    ] as const) {
      const response = await post(path, nested(5_000), token);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        status: 400,
        code: 'validation_failed',
        errors: [{ field: '', code: 'too_deep', message: expect.stringContaining('32') }],
      });
    }
    const inObject = JSON.stringify(newCaseBody({ notes: JSON.parse(nested(40)) }));
    const response = await post('/api/v1/cases', inObject, admin);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].code).toBe('too_deep');
  });

  it('accepts 32 levels and refuses 33', async () => {
    const ok = await post('/api/v1/users', JSON.stringify({ x: JSON.parse(nested(31)) }), admin);
    expect(ok.status).toBe(400);
    expect(ok.body.errors).toContainEqual(expect.objectContaining({ field: 'x', code: 'unknown_property' }));
    expect(ok.body.errors).not.toContainEqual(expect.objectContaining({ code: 'too_deep' }));
    const deep = await post('/api/v1/users', JSON.stringify({ x: JSON.parse(nested(32)) }), admin);
    expect(deep.body.errors).toEqual([expect.objectContaining({ field: '', code: 'too_deep' })]);
  });

  it('refuses more than 20,000 members and elements before parsing', async () => {
    const body = JSON.stringify({ notes: new Array(25_000).fill(0) });
    const response = await post('/api/v1/cases', body, admin);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: '', code: 'too_many_entries', message: expect.stringContaining('20000') },
    ]);
  });

  it('does not count brackets and commas inside strings', async () => {
    const response = await post(
      '/api/v1/auth/login',
      JSON.stringify({ email: '[[[[,,,,{{{{'.repeat(20) + '\\"[', password: '"]]]]' }),
    );
    expect(response.status).toBe(401);
  });

  it('refuses a body that is not UTF-8', async () => {
    // supertest would re-encode the bytes; fetch sends them as they are.
    const { port } = t.server.address() as AddressInfo;
    const send = (body: Uint8Array, contentType: string) =>
      fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
    const bytes = Buffer.concat([
      Buffer.from('{"email":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('","password":"x"}'),
    ]);
    const response = await send(bytes, 'application/json');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({ field: '', code: 'invalid_encoding' }),
    ]);
    const utf16 = await send(
      Buffer.from('{"email":"a@test.ilr","password":"x"}', 'utf16le'),
      'application/json; charset=utf-16le',
    );
    expect(utf16.status).toBe(415);
  });

  it('answers /health promptly while hostile login bodies are being refused', async () => {
    const hostile = Array.from({ length: 6 }, () =>
      post('/api/v1/auth/login', manyKeys(900, { email: 'a@test.ilr', password: 'x' })),
    );
    const started = performance.now();
    await t.http().get('/health').expect(200);
    const healthMs = performance.now() - started;
    for (const response of await Promise.all(hostile)) expect(response.status).toBe(400);
    expect(healthMs).toBeLessThan(1500);
  });
});

describe('date bounds (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let surgeon: TestUser;
  let caseId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.factories.admin();
    surgeon = await t.factories.newUser({ role: 'surgeon' });
    const created = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${surgeon.token}`)
      .send(newCaseBody())
      .expect(201);
    caseId = created.body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const expectDateError = (
    response: { status: number; body: { errors?: Array<{ field: string; code: string }> } },
    field: string,
    code = 'out_of_range',
  ) => {
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual(expect.objectContaining({ field, code }));
  };

  it.each(['0000-01-01', '0001-01-01', '1799-12-31', '3000-01-01', '9999-12-31'])(
    'refuses birthDate %s on POST /patients with a 400',
    async (birthDate) => {
      const response = await t
        .http()
        .post('/api/v1/patients')
        .set('Authorization', `Bearer ${admin}`)
        .send({ mrn: 'DATE-BOUND-1', birthDate, sex: 'female' });
      expectDateError(response, 'birthDate');
    },
  );

  it('refuses dates that do not exist as invalid_format', async () => {
    const response = await t
      .http()
      .post('/api/v1/patients')
      .set('Authorization', `Bearer ${admin}`)
      .send({ mrn: 'DATE-BOUND-2', birthDate: '2025-02-30', sex: 'female' });
    expectDateError(response, 'birthDate', 'invalid_format');
  });

  it.each([
    ['/api/v1/cases?from=0000-01-01', 'from'],
    ['/api/v1/cases?to=9999-12-31', 'to'],
    ['/api/v1/reports/outcomes?from=0000-12-31', 'from'],
    ['/api/v1/reports/survival?endpoint=recurrence&to=0000-01-01', 'to'],
    ['/api/v1/reports/funnel?outcome=recurrence_1y&from=0000-01-01', 'from'],
    ['/api/v1/reports/cusum?outcome=recurrence_1y&from=0000-01-01', 'from'],
    ['/api/v1/reports/data-quality?from=0000-01-01', 'from'],
    ['/api/v1/exports/cases?from=0000-01-01', 'from'],
    ['/api/v1/exports/follow-ups?to=9999-12-31', 'to'],
    ['/api/v1/exports/complications?from=0000-01-01', 'from'],
  ])('refuses the filter in GET %s with a 400', async (url, field) => {
    expectDateError(await t.http().get(url).set('Authorization', `Bearer ${admin}`), field);
  });

  it('refuses a date out of range in an export job filter', async () => {
    const response = await t
      .http()
      .post('/api/v1/exports')
      .set('Authorization', `Bearer ${admin}`)
      .send({ dataset: 'cases', format: 'csv', filters: { from: '0000-01-01' } });
    expectDateError(response, 'filters.from');
  });

  it('refuses a forged cursor holding year 0000', async () => {
    const cursor = Buffer.from(JSON.stringify({ surgeryDate: '0000-01-01', registryCode: 'ILR-000001' })).toString(
      'base64url',
    );
    const response = await t.http().get(`/api/v1/cases?cursor=${cursor}`).set('Authorization', `Bearer ${admin}`);
    expectDateError(response, 'cursor', 'invalid_format');
  });

  it('refuses forged cursors holding NUL or a lone surrogate', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const [path, cursor] of [
      ['/api/v1/users', { email: 'a\u0000@test.ilr', id: '00000000-0000-4000-8000-000000000000' }],
      ['/api/v1/users', { email: 'a\ud800@test.ilr', id: '00000000-0000-4000-8000-000000000000' }],
      ['/api/v1/cases', { surgeryDate: '2025-01-01', registryCode: 'ILR-000001\u0000' }],
    ] as const) {
      const response = await t
        .http()
        .get(`${path}?cursor=${b64(cursor)}`)
        .set('Authorization', `Bearer ${admin}`);
      expectDateError(response, 'cursor', 'invalid_format');
    }
  });

  it('refuses visit, onset, reoperation and resolution dates out of range', async () => {
    const auth = { Authorization: `Bearer ${surgeon.token}` };
    const visit = await t
      .http()
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .set(auth)
      .send({ visitDate: '0000-01-01', contactMode: 'clinic' });
    expectDateError(visit, 'visitDate');
    const complication = (body: Record<string, unknown>) =>
      t
        .http()
        .post(`/api/v1/cases/${caseId}/complications`)
        .set(auth)
        .send({
          type: 'recurrent_snapping',
          onsetDate: '2025-06-01',
          recurrenceCause: 'incomplete_release',
          sinkGrade: 3,
          ...body,
        });
    expectDateError(await complication({ onsetDate: '0000-01-01' }), 'onsetDate');
    expectDateError(
      await complication({ reoperation: { date: '9999-12-31', procedure: 'revision_release' } }),
      'reoperation.date',
    );
    expectDateError(await complication({ resolvedDate: '0000-06-01' }), 'resolvedDate');
    const patch = await t
      .http()
      .patch(`/api/v1/cases/${caseId}`)
      .set(auth)
      .set('If-Match', '"1"')
      .send({ surgeryDate: '0000-01-01' });
    expectDateError(patch, 'surgeryDate');
  });

  it('accepts the oldest patients a case may have: born 1899, operated on 2000-01-01 at 100', async () => {
    const response = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${surgeon.token}`)
      .send(
        newCaseBody({
          surgeryDate: '2000-01-01',
          patient: { mrn: 'DATE-BOUND-3', birthDate: '1899-06-01', sex: 'male' },
        }),
      );
    expect(response.status).toBe(201);
    const floor = await t
      .http()
      .post('/api/v1/patients')
      .set('Authorization', `Bearer ${admin}`)
      .send({ mrn: 'DATE-BOUND-4', birthDate: '1800-01-01', sex: 'female' });
    expect(floor.status).toBe(201);
  });
});
