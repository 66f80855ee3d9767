import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TEST_ADMIN, type TestApp } from '../support/app.js';

// Items 2, 4, 13 and 14 of the step-7 review: the sign-in throttle under concurrency, the last-admin
// race, credentials that outlive a password change, and user administration in the audit trail.
// The race runs last: without its lock it can leave no administrator, which the other tests need.
describe('authentication under attack, credentials and user administration (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let address = 0;
  // A trusted loopback proxy names the client, so that each test (or each request) has its own address.
  const nextAddress = () => `198.18.${Math.floor(++address / 250)}.${(address % 250) + 1}`;

  const login = (email: string, password: string, ip = nextAddress()) =>
    t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const statuses = (responses: Array<{ status: number }>) =>
    responses.reduce<Record<number, number>>(
      (counts, r) => ({ ...counts, [r.status]: (counts[r.status] ?? 0) + 1 }),
      {},
    );
  const auditFor = (entityId: string): Promise<Array<Record<string, unknown>>> =>
    t.dataSource.query(
      'SELECT action, entity_type, entity_id, actor_id, changes, details, reason FROM audit_events WHERE entity_id = $1 ORDER BY id',
      [entityId],
    );

  beforeAll(async () => {
    t = await startTestApp({
      LOGIN_MAX_FAILURES_PER_EMAIL: '5',
      LOGIN_MAX_FAILURES_PER_IP: '10',
      TRUST_PROXY: 'loopback',
    });
    admin = await t.factories.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('the sign-in throttle counts an attempt before its password is checked', () => {
    it('answers 40 concurrent wrong passwords for one email with five 401s and 429s for the rest', async () => {
      const user = await t.factories.newUser();
      const responses = await Promise.all(Array.from({ length: 40 }, () => login(user.email, 'wrong-password-x')));
      expect(statuses(responses)).toEqual({ 401: 5, 429: 35 });
      const refused = responses.find((r) => r.status === 429)!;
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 429, code: 'throttled' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('refuses the right password at the end of a burst that spent the limit', async () => {
      const user = await t.factories.newUser();
      const burst = await Promise.all(Array.from({ length: 9 }, () => login(user.email, 'wrong-password-x')));
      expect(statuses(burst)).toEqual({ 401: 5, 429: 4 });
      const last = await login(user.email, user.password).expect(429);
      expect(last.body.code).toBe('throttled');
    });

    it('answers 40 concurrent attempts from one address at many emails with ten 401s', async () => {
      const ip = nextAddress();
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) => login(`spray.${i}.${ip}@test.ilr`, 'wrong-password-x', ip)),
      );
      expect(statuses(responses)).toEqual({ 401: 10, 429: 30 });
    });

    it('does not count a successful sign-in, and does not reset the failures before it', async () => {
      const user = await t.factories.newUser();
      for (let i = 0; i < 4; i++) await login(user.email, 'wrong-password-x').expect(401);
      // The fifth attempt is within the limit and right: it signs in and gives its count back...
      await login(user.email, user.password).expect(200);
      // ...so one more failure is allowed (a reset would allow five), and then the limit is spent.
      await login(user.email, 'wrong-password-x').expect(401);
      await login(user.email, user.password).expect(429);
    });

    it('lets one account sign in many times in a row', async () => {
      const user = await t.factories.newUser();
      const ip = nextAddress();
      for (let i = 0; i < 12; i++) await login(user.email, user.password, ip).expect(200);
    });

    it('keeps the counters in the database, hashed, so that a restart forgets nothing', async () => {
      const user = await t.factories.newUser();
      for (let i = 0; i < 5; i++) await login(user.email, 'wrong-password-x').expect(401);
      const keys: Array<{ key: string }> = await t.dataSource.query('SELECT key FROM throttle_counters');
      expect(keys.length).toBeGreaterThan(0);
      expect(JSON.stringify(keys)).not.toMatch(/@test\.ilr/);

      // A second instance on the same database (as after a restart) sees the same counts.
      const second = await startTestApp(
        { LOGIN_MAX_FAILURES_PER_EMAIL: '5', LOGIN_MAX_FAILURES_PER_IP: '10', TRUST_PROXY: 'loopback' },
        { database: t.db },
      );
      try {
        await second
          .http()
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', nextAddress())
          .send({ email: user.email, password: user.password })
          .expect(429);
      } finally {
        await second.close();
      }
    });
  });

  describe('credentials after a password change', () => {
    const createToken = (token: string) =>
      t.http().post('/api/v1/auth/tokens').set(as(token)).send({ name: 'script', expiresInDays: 30 });

    it('ends access tokens and personal tokens when an admin resets the password', async () => {
      const user = await t.factories.newUser();
      const pat = (await createToken(user.token).expect(201)).body;
      await t.http().get('/api/v1/auth/me').set(as(pat.token)).expect(200);

      const newPassword = 'a-brand-new-password-1';
      await t.http().patch(`/api/v1/users/${user.id}`).set(as(admin)).send({ password: newPassword }).expect(200);

      await t.http().get('/api/v1/auth/me').set(as(user.token)).expect(401);
      await t.http().get('/api/v1/auth/me').set(as(pat.token)).expect(401);
      await login(user.email, user.password).expect(401);
      const fresh = await login(user.email, newPassword).expect(200);
      await t.http().get('/api/v1/auth/me').set(as(fresh.body.accessToken)).expect(200);
      const tokens = await t.http().get('/api/v1/auth/tokens').set(as(fresh.body.accessToken)).expect(200);
      expect(tokens.body.items).toEqual([expect.objectContaining({ id: pat.id, revokedAt: expect.any(String) })]);

      const userEvents = await auditFor(user.id);
      expect(userEvents).toContainEqual(
        expect.objectContaining({ action: 'password_reset', entity_type: 'user', details: { tokensRevoked: 1 } }),
      );
      const tokenEvents = await auditFor(pat.id);
      expect(tokenEvents.map((event) => event.action)).toEqual(['token_create', 'token_revoke']);
      expect(tokenEvents[1]).toMatchObject({ entity_type: 'api_token', details: { ownerId: user.id } });
      const dump = JSON.stringify([...userEvents, ...tokenEvents]);
      for (const secret of [newPassword, user.password, user.email, pat.token]) expect(dump).not.toContain(secret);
    });

    it('lets a user change their own password, ending their other sessions and tokens', async () => {
      const user = await t.factories.newUser();
      const otherSession = (await login(user.email, user.password).expect(200)).body.accessToken as string;
      const pat = (await createToken(user.token).expect(201)).body;
      const change = (token: string, currentPassword: string) =>
        t
          .http()
          .post('/api/v1/auth/password')
          .set(as(token))
          .send({ currentPassword, newPassword: 'my-new-password-123' });

      const viaToken = await change(pat.token, user.password).expect(403);
      expect(viaToken.body.code).toBe('forbidden');
      const wrong = await change(user.token, 'not-my-password').expect(400);
      expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'currentPassword' })]);
      await t.http().get('/api/v1/auth/me').set(as(user.token)).expect(200);

      const changed = await change(user.token, user.password).expect(200);
      expect(changed.body).toMatchObject({ tokenType: 'Bearer', user: { id: user.id } });
      await t.http().get('/api/v1/auth/me').set(as(changed.body.accessToken)).expect(200);
      for (const old of [user.token, otherSession, pat.token]) {
        await t.http().get('/api/v1/auth/me').set(as(old)).expect(401);
      }
      await login(user.email, 'my-new-password-123').expect(200);

      const events = await auditFor(user.id);
      expect(events).toContainEqual(
        expect.objectContaining({ action: 'password_change', actor_id: user.id, details: { tokensRevoked: 1 } }),
      );
      expect(JSON.stringify(events)).not.toContain('my-new-password-123');
    });

    it('refuses a wrong current password by the sign-in budget of the account', async () => {
      const user = await t.factories.newUser();
      const attempts = await Promise.all(
        Array.from({ length: 8 }, () =>
          t
            .http()
            .post('/api/v1/auth/password')
            .set(as(user.token))
            .send({ currentPassword: 'guess-guess-guess', newPassword: 'my-new-password-123' }),
        ),
      );
      expect(statuses(attempts)).toEqual({ 400: 5, 429: 3 });
    });

    it('does not let a personal token create tokens', async () => {
      const user = await t.factories.newUser();
      const pat = (await createToken(user.token).expect(201)).body;
      const refused = await createToken(pat.token).expect(403);
      expect(refused.body.code).toBe('forbidden');
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM api_tokens WHERE user_id = $1', [
        user.id,
      ]);
      expect(count).toBe(1);
    });
  });

  describe('the audit trail of user administration', () => {
    it('records creation, role changes, deactivation and reactivation, without the email', async () => {
      const email = 'audited.user@test.ilr';
      const created = await t
        .http()
        .post('/api/v1/users')
        .set(as(admin))
        .send({ email, displayName: 'Dr Audited', role: 'surgeon', password: 'a-long-password-1' })
        .expect(201);
      const id = created.body.id as string;
      const patch = (body: Record<string, unknown>) =>
        t.http().patch(`/api/v1/users/${id}`).set(as(admin)).send(body).expect(200);
      await patch({ role: 'quality_reviewer' });
      await patch({ active: false });
      await patch({ active: true });
      await patch({ displayName: 'Dr Renamed' });
      await patch({ role: 'quality_reviewer' }); // no change, no event

      const me = await t.http().get('/api/v1/auth/me').set(as(admin)).expect(200);
      const events = await auditFor(id);
      expect(events.map((event) => event.action)).toEqual([
        'create',
        'role_change',
        'deactivate',
        'reactivate',
        'update',
      ]);
      expect(events.every((event) => event.entity_type === 'user' && event.actor_id === me.body.id)).toBe(true);
      expect(events[1].changes).toEqual([{ field: 'role', from: 'surgeon', to: 'quality_reviewer' }]);
      expect(events[2].changes).toEqual([{ field: 'active', from: true, to: false }]);
      expect(events[3].changes).toEqual([{ field: 'active', from: false, to: true }]);
      const dump = JSON.stringify(events);
      expect(dump).not.toContain(email);
      expect(dump).not.toContain('a-long-password-1');
    });

    it('records token creation and revocation, never the token', async () => {
      const user = await t.factories.newUser();
      const pat = (
        await t
          .http()
          .post('/api/v1/auth/tokens')
          .set(as(user.token))
          .send({ name: 'audited', expiresInDays: 3 })
          .expect(201)
      ).body;
      await t.http().delete(`/api/v1/auth/tokens/${pat.id}`).set(as(admin)).expect(204);
      const events = await auditFor(pat.id);
      expect(events).toEqual([
        expect.objectContaining({ action: 'token_create', entity_type: 'api_token', actor_id: user.id }),
        expect.objectContaining({ action: 'token_revoke', entity_type: 'api_token', details: { ownerId: user.id } }),
      ]);
      const dump = JSON.stringify(events);
      expect(dump).not.toContain(pat.token);
      expect(dump).not.toContain(pat.token.slice(8));
    });
  });

  describe('the last active administrator', () => {
    it('survives two concurrent PATCHes that each remove one of two admins', async () => {
      const me = await t.http().get('/api/v1/auth/me').set(as(admin)).expect(200);
      const second = await t.factories.newUser({ role: 'admin' });
      for (let round = 0; round < 5; round++) {
        const [deactivate, demote] = await Promise.all([
          t.http().patch(`/api/v1/users/${second.id}`).set(as(admin)).send({ active: false }),
          t.http().patch(`/api/v1/users/${me.body.id}`).set(as(admin)).send({ role: 'registry_staff' }),
        ]);
        expect([deactivate.status, demote.status].sort()).toEqual([200, 409]);
        const [{ count }] = await t.dataSource.query(
          "SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND active",
        );
        expect(count).toBe(1);
        // Put both admins back for the next round, through whichever is still one.
        if (deactivate.status === 200) {
          await t.http().patch(`/api/v1/users/${second.id}`).set(as(admin)).send({ active: true }).expect(200);
        } else {
          await t.http().patch(`/api/v1/users/${me.body.id}`).set(as(second.token)).send({ role: 'admin' }).expect(200);
        }
      }
    });

    it('writes no audit event for a refused change', async () => {
      const solo = await startTestApp();
      try {
        const token = await solo.factories.admin();
        const me = await solo.http().get('/api/v1/auth/me').set(as(token)).expect(200);
        await solo.http().patch(`/api/v1/users/${me.body.id}`).set(as(token)).send({ active: false }).expect(409);
        const events = await solo.dataSource.query("SELECT 1 FROM audit_events WHERE action = 'deactivate'");
        expect(events).toEqual([]);
      } finally {
        await solo.close();
      }
    });

    it('leaves the first admin an administrator after the races above', async () => {
      const response = await login(TEST_ADMIN.email, TEST_ADMIN.password).expect(200);
      expect(response.body.user).toMatchObject({ role: 'admin', active: true });
    });
  });
});
