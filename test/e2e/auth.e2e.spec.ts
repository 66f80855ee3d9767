import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TEST_ADMIN, type TestApp } from '../support/app.js';

describe('authentication and users (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The throttling tests stand behind a trusted loopback proxy, so X-Forwarded-For picks the address.
    t = await startTestApp({
      LOGIN_MAX_FAILURES_PER_EMAIL: '3',
      LOGIN_MAX_FAILURES_PER_IP: '8',
      TRUST_PROXY: 'loopback',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD and lets it sign in', async () => {
    const response = await t.http().post('/api/v1/auth/login').send(TEST_ADMIN).expect(200);
    expect(response.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      user: { email: TEST_ADMIN.email, role: 'admin', active: true },
    });
    expect(typeof response.body.accessToken).toBe('string');
    const me = await t
      .http()
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${response.body.accessToken}`)
      .expect(200);
    expect(me.body.email).toBe(TEST_ADMIN.email);
    expect(me.body).not.toHaveProperty('passwordHash');
  });

  it('answers a wrong password and an unknown email with the same 401 body', async () => {
    const user = await t.factories.newUser({ role: 'registry_staff' });
    const wrong = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: 'not-the-password' })
      .expect(401);
    const unknown = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'nobody@test.ilr', password: 'whatever-password' })
      .expect(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, correlationId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wrong.body).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('accepts the email in any letter case', async () => {
    const user = await t.factories.newUser();
    await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: user.email.toUpperCase(), password: user.password })
      .expect(200);
  });

  // Each throttling test signs in from its own client address (X-Forwarded-For from a loopback
  // proxy is trusted), so the counters of one test do not leak into the others.
  it('throttles repeated failures for one email with 429 and Retry-After, even with the right password', async () => {
    const user = await t.factories.newUser();
    const login = (password: string) =>
      t.http().post('/api/v1/auth/login').set('X-Forwarded-For', '192.0.2.10').send({ email: user.email, password });
    for (let i = 0; i < 3; i++) await login('wrong-password-x').expect(401);
    const blocked = await login(user.password).expect(429);
    expect(blocked.body).toMatchObject({ status: 429, code: 'throttled' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The email stays blocked from another address too: the limit is per account.
    await t
      .http()
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', '192.0.2.11')
      .send({ email: user.email, password: user.password })
      .expect(429);
  });

  it('throttles one client address that tries many emails, and only that address', async () => {
    const attempt = (ip: string, i: number) =>
      t
        .http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: `spray${i}@test.ilr`, password: 'wrong-password-x' });
    for (let i = 0; i < 8; i++) await attempt('203.0.113.7', i).expect(401);
    const blocked = await attempt('203.0.113.7', 99).expect(429);
    expect(blocked.body.code).toBe('throttled');
    await attempt('198.51.100.1', 100).expect(401);
  });

  describe('roles', () => {
    it('refuses a protected route without credentials (401) and with a garbage token (401)', async () => {
      const none = await t.http().get('/api/v1/users').expect(401);
      expect(none.body).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect(none.headers['www-authenticate']).toBe('Bearer');
      await t.http().get('/api/v1/users').set('Authorization', 'Bearer not-a-token').expect(401);
      await t.http().get('/api/v1/users').set('Authorization', 'Basic abc').expect(401);
    });

    it.each(['surgeon', 'registry_staff', 'quality_reviewer'] as const)(
      'denies user administration to a %s (403)',
      async (role) => {
        const user = await t.factories.newUser({ role });
        const list = await t.http().get('/api/v1/users').set('Authorization', `Bearer ${user.token}`).expect(403);
        expect(list.body).toMatchObject({ status: 403, code: 'forbidden' });
        await t
          .http()
          .post('/api/v1/users')
          .set('Authorization', `Bearer ${user.token}`)
          .send({ email: 'x@test.ilr', displayName: 'X', role: 'admin', password: 'a-long-password-1' })
          .expect(403);
      },
    );

    it('lets the admin create, list and update users', async () => {
      const admin = await t.factories.admin();
      const created = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({ email: 'New.Surgeon@Test.ILR', displayName: 'Dr New', role: 'surgeon', password: 'a-long-password-1' })
        .expect(201);
      expect(created.body).toMatchObject({ email: 'new.surgeon@test.ilr', role: 'surgeon', active: true });
      const duplicate = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({
          email: 'new.surgeon@test.ilr',
          displayName: 'Dr Again',
          role: 'surgeon',
          password: 'a-long-password-1',
        })
        .expect(409);
      expect(duplicate.body.errors).toEqual([expect.objectContaining({ field: 'email', code: 'duplicate' })]);
      const updated = await t
        .http()
        .patch(`/api/v1/users/${created.body.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ role: 'quality_reviewer', displayName: 'Dr Reviewer' })
        .expect(200);
      expect(updated.body).toMatchObject({ role: 'quality_reviewer', displayName: 'Dr Reviewer' });

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<{ email: string }>; nextCursor: string | null } } = await t
          .http()
          .get('/api/v1/users')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set('Authorization', `Bearer ${admin}`)
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((user: { email: string }) => user.email));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toContain('new.surgeon@test.ilr');
      expect(seen).toContain(TEST_ADMIN.email);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(seen);
    });

    it('refuses to deactivate or demote the last active admin', async () => {
      const admin = await t.factories.admin();
      const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${admin}`).expect(200);
      const response = await t
        .http()
        .patch(`/api/v1/users/${me.body.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ active: false })
        .expect(409);
      expect(response.body.code).toBe('conflict');
    });

    it('locks a deactivated user out at once, access token and API token alike', async () => {
      const user = await t.factories.newUser({ role: 'registry_staff' });
      const pat = await t
        .http()
        .post('/api/v1/auth/tokens')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ name: 'script', expiresInDays: 30 })
        .expect(201);
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${pat.body.token}`).expect(200);

      await t
        .http()
        .patch(`/api/v1/users/${user.id}`)
        .set('Authorization', `Bearer ${await t.factories.admin()}`)
        .send({ active: false })
        .expect(200);
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${user.token}`).expect(401);
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${pat.body.token}`).expect(401);
      await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(401);
    });
  });

  describe('personal API tokens', () => {
    it('shows a token once, stores only its hash, and accepts it as a bearer credential', async () => {
      const user = await t.factories.newUser();
      const created = await t
        .http()
        .post('/api/v1/auth/tokens')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ name: 'nightly', expiresInDays: 7 })
        .expect(201);
      expect(created.body.token).toMatch(/^ilr_pat_[A-Za-z0-9_-]{43}$/);
      const expires = new Date(created.body.expiresAt).getTime();
      expect(Math.abs(expires - (Date.now() + 7 * 86_400_000))).toBeLessThan(60_000);

      const stored = await t.dataSource.query('SELECT token_hash FROM api_tokens WHERE id = $1', [created.body.id]);
      expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(stored[0].token_hash).not.toContain(created.body.token);

      const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${created.body.token}`).expect(200);
      expect(me.body.id).toBe(user.id);
      const list = await t.http().get('/api/v1/auth/tokens').set('Authorization', `Bearer ${user.token}`).expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: created.body.id, name: 'nightly', revokedAt: null }),
      ]);
      expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    });

    it("stops accepting a revoked token, and 404s a revoke of someone else's token", async () => {
      const owner = await t.factories.newUser();
      const other = await t.factories.newUser();
      const created = await t
        .http()
        .post('/api/v1/auth/tokens')
        .set('Authorization', `Bearer ${owner.token}`)
        .send({ name: 'to revoke', expiresInDays: 1 })
        .expect(201);
      await t
        .http()
        .delete(`/api/v1/auth/tokens/${created.body.id}`)
        .set('Authorization', `Bearer ${other.token}`)
        .expect(404);
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${created.body.token}`).expect(200);
      await t
        .http()
        .delete(`/api/v1/auth/tokens/${created.body.id}`)
        .set('Authorization', `Bearer ${owner.token}`)
        .expect(204);
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${created.body.token}`).expect(401);
      await t
        .http()
        .delete(`/api/v1/auth/tokens/${created.body.id}`)
        .set('Authorization', `Bearer ${owner.token}`)
        .expect(404);
    });

    it('stops accepting an expired token', async () => {
      const user = await t.factories.newUser();
      const created = await t
        .http()
        .post('/api/v1/auth/tokens')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ name: 'short', expiresInDays: 1 })
        .expect(201);
      await t.dataSource.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [
        created.body.id,
      ]);
      const response = await t
        .http()
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${created.body.token}`)
        .expect(401);
      expect(response.body.code).toBe('unauthenticated');
    });

    it('validates the token request', async () => {
      const user = await t.factories.newUser();
      const response = await t
        .http()
        .post('/api/v1/auth/tokens')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ name: '', expiresInDays: 400 })
        .expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['expiresInDays', 'name']);
      await t.http().delete('/api/v1/auth/tokens/not-a-uuid').set('Authorization', `Bearer ${user.token}`).expect(400);
    });
  });

  it('never writes passwords or tokens to the log', async () => {
    const text = JSON.stringify(t.logs);
    expect(text).not.toContain(TEST_ADMIN.password);
    expect(text).not.toContain('ilr_pat_');
    expect(t.logs.some((line) => line.msg === 'request' && line.path === '/api/v1/auth/login')).toBe(true);
  });
});
