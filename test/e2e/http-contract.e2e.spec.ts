import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';

describe('HTTP contract: problem+json, headers, docs, health (e2e)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT: '2kb' });
    admin = await t.factories.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  const expectProblem = (
    response: { headers: Record<string, string>; body: Record<string, unknown> },
    status: number,
  ) => {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    });
    expect(response.body.correlationId).toBe(response.headers['x-correlation-id']);
  };

  it('answers malformed JSON with a 400 problem that does not quote the body', async () => {
    const response = await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/json')
      .send('{"email": "MRN-SECRET-123", oops}')
      .expect(400);
    expectProblem(response, 400);
    expect(response.body.code).toBe('malformed_json');
    expect(JSON.stringify(response.body)).not.toContain('MRN-SECRET-123');
  });

  it('names each unknown property and each wrong type by its field path', async () => {
    const response = await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'a@test.ilr', displayName: 42, role: 'chief', password: 'long-enough-password', isRoot: true })
      .expect(400);
    expectProblem(response, 400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'isRoot', code: 'unknown_property', message: expect.any(String) },
        { field: 'displayName', code: 'invalid_type', message: expect.any(String) },
        { field: 'role', code: 'invalid_code', message: expect.stringContaining('surgeon') },
      ]),
    );
    expect(response.body.errors).toHaveLength(3);
    const count = await t.dataSource.query("SELECT count(*)::int AS n FROM users WHERE email = 'a@test.ilr'");
    expect(count[0].n).toBe(0);
  });

  it('reports a missing required field as required', async () => {
    const response = await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'b@test.ilr' })
      .expect(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'displayName', code: 'required' }),
        expect.objectContaining({ field: 'role', code: 'required' }),
        expect.objectContaining({ field: 'password', code: 'required' }),
      ]),
    );
  });

  it('rejects a body over the configured limit with 413', async () => {
    const response = await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'c@test.ilr', displayName: 'x'.repeat(5000), role: 'surgeon', password: 'long-enough-password' })
      .expect(413);
    expectProblem(response, 413);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await t
      .http()
      .get('/api/v1/nothing-here?mrn=123')
      .set('Authorization', `Bearer ${admin}`)
      .expect(404);
    expectProblem(response, 404);
    expect(JSON.stringify(response.body)).not.toContain('mrn=123');
  });

  it('sets security headers and echoes a well-formed X-Request-Id as the correlation id', async () => {
    const response = await t.http().get('/health').set('X-Request-Id', 'client-req-0001').expect(200);
    expect(response.headers['x-correlation-id']).toBe('client-req-0001');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    const other = await t.http().get('/health').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(other.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps each request its own correlation id and caller under concurrency (nestjs-cls)', async () => {
    const user = await t.factories.newUser({ role: 'registry_staff' });
    const ids = Array.from({ length: 12 }, (_, i) => `concurrent-req-${String(i).padStart(4, '0')}`);
    const responses = await Promise.all(
      ids.map((id, i) =>
        t
          .http()
          .get('/api/v1/auth/me')
          .set('Authorization', `Bearer ${i % 2 ? admin : user.token}`)
          .set('X-Request-Id', id),
      ),
    );
    responses.forEach((response, i) => {
      expect(response.status).toBe(200);
      expect(response.headers['x-correlation-id']).toBe(ids[i]);
      const line = t.logs.find((l) => l.msg === 'request' && l.correlationId === ids[i]);
      expect(line?.userId).toBe(response.body.id);
    });
  });

  it('logs one structured line per request, without the query string', async () => {
    await t.http().get('/api/v1/users?cursor=SECRET-QUERY').set('Authorization', `Bearer ${admin}`);
    const line = t.logs.filter((l) => l.msg === 'request').at(-1)!;
    expect(line).toMatchObject({
      method: 'GET',
      path: '/api/v1/users',
      status: 400,
      correlationId: expect.any(String),
      userId: expect.any(String),
    });
    expect(typeof line.durationMs).toBe('number');
    expect(JSON.stringify(t.logs)).not.toContain('SECRET-QUERY');
  });

  it('serves the OpenAPI document with bearer auth, and Swagger UI', async () => {
    const doc = await t.http().get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.paths['/api/v1/users'].post.security).toEqual([{ bearer: [] }]);
    // OpenAPI 3.1: a reference may stand beside other keywords, so no 3.0-style `allOf: [{ $ref }]` wrapper.
    expect(doc.body.components.schemas.CreateUserRequest.properties.role.$ref).toBe('#/components/schemas/UserRole');
    expect(doc.body.components.schemas.UserRole.enum).toEqual([
      'surgeon',
      'registry_staff',
      'quality_reviewer',
      'admin',
    ]);
    expect(doc.body.components.schemas.CreateUserRequest.required).toEqual([
      'email',
      'displayName',
      'role',
      'password',
    ]);
    const ui = await t.http().get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('is live and ready on a migrated database', async () => {
    await t.http().get('/health').expect(200, { status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', migrations: 'applied' } });
  });

  // Last in this file: it breaks the database on purpose.
  it('turns an unexpected failure into a bare 500 with a correlation id, and logs the stack', async () => {
    await t.dataSource.query('DROP TABLE api_tokens');
    const response = await t.http().get('/api/v1/auth/tokens').set('Authorization', `Bearer ${admin}`).expect(500);
    expectProblem(response, 500);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: expect.stringContaining(response.headers['x-correlation-id']),
      correlationId: response.headers['x-correlation-id'],
    });
    expect(JSON.stringify(response.body)).not.toContain('api_tokens');
    const logged = t.logs.find((l) => l.msg === 'unhandled error' && l.correlationId === response.body.correlationId);
    expect((logged?.err as { stack?: string })?.stack).toContain('api_tokens');
  });
});

describe('readiness before migrations (e2e)', () => {
  it('answers 503 from /health/ready while migrations are pending', async () => {
    const t = await startTestApp();
    try {
      await t.http().get('/health/ready').expect(200);
      // As if this build carried a migration the database has not had yet.
      await t.dataSource.query('DELETE FROM migrations WHERE id = (SELECT max(id) FROM migrations)');
      const response = await t.http().get('/health/ready').expect(503);
      expect(response.body).toMatchObject({ status: 503, code: 'not_ready', checks: { migrations: 'pending' } });
      await t.http().get('/health').expect(200);
    } finally {
      await t.close();
    }
  });
});
