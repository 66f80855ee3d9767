import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// API answers are never cached and never answered "not modified": a case's ETag is the version of the case alone
// (what If-Match compares), while GET /cases/:id also carries its visits and complications, so a 304 on that ETag
// would hand a browser the case as it was before a follow-up was added. Patient data stays out of browser caches.
describe('API responses and HTTP caches (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  const as = () => ({ Authorization: `Bearer ${surgeon.token}` });

  beforeAll(async () => {
    t = await startTestApp();
    surgeon = await t.factories.newSurgeon();
  });
  afterAll(async () => t?.close());

  it('answers a conditional GET of a case with its new follow-up, not 304', async () => {
    const created = await t.http().post('/api/v1/cases').set(as()).send(newCaseBody()).expect(201);
    const first = await t.http().get(`/api/v1/cases/${created.body.id}`).set(as()).expect(200);
    expect(first.body.followUps).toEqual([]);
    await t
      .http()
      .post(`/api/v1/cases/${created.body.id}/follow-ups`)
      .set(as())
      .send({ visitDate: '2025-05-01', contactMode: 'clinic' })
      .expect(201);
    const again = await t
      .http()
      .get(`/api/v1/cases/${created.body.id}`)
      .set(as())
      .set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(200);
    expect(again.body.followUps).toHaveLength(1);
    // The case's own version did not change: If-Match still takes the same ETag.
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  it('tells browsers and proxies to store no API answer', async () => {
    const list = await t.http().get('/api/v1/cases').set(as()).expect(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const me = await t.http().get('/api/v1/auth/me').set(as()).expect(200);
    expect(me.headers['cache-control']).toBe('no-store');
    const missing = await t.http().get('/api/v1/nothing-here').set(as()).expect(404);
    expect(missing.headers['cache-control']).toBe('no-store');
  });
});
