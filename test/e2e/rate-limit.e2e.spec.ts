import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { ThrottleRepository } from '@ilr/persistence';
import { ThrottleService } from '@ilr/registry';
import { startTestApp, type TestApp } from '../support/app.js';

// Item 3 of the step-7 review: API rate limits per credential and per client address on a shared
// store (PostgreSQL, or Redis when REDIS_URL is set), `trust proxy` from configuration.

const as = (token: string) => ({ Authorization: `Bearer ${token}` });
const statuses = (responses: Array<{ status: number }>) =>
  responses.reduce<Record<number, number>>((counts, r) => ({ ...counts, [r.status]: (counts[r.status] ?? 0) + 1 }), {});

// Whether the Redis tests can run is decided here, once, before any describe: they need a server.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A TCP connection is the test: a server that then refuses the commands fails the tests loudly.
function redisUnavailable(url: string): Promise<string | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379), timeout: 1000 });
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('connect', () => done(null));
    socket.once('timeout', () => done('connection timed out'));
    socket.once('error', (error) => done(error.message));
  });
}
const redisMissing = await redisUnavailable(REDIS_URL);
if (redisMissing) {
  process.stderr.write(
    `\n[rate-limit.e2e] THE REDIS STORE WAS NOT TESTED: no Redis at ${REDIS_URL} (${redisMissing}). ` +
      'Start one or set REDIS_URL to run those tests.\n\n',
  );
}

describe('API rate limits (e2e)', () => {
  describe('per credential', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '20', RATE_LIMIT_PER_IP_PER_MINUTE: '100000' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers the request over the limit with a 429 problem and Retry-After, for that caller only', async () => {
      const user = await t.factories.newUser();
      const other = await t.factories.newUser();
      for (let i = 0; i < 20; i++) await t.http().get('/api/v1/auth/me').set(as(user.token)).expect(200);
      const refused = await t.http().get('/api/v1/auth/me').set(as(user.token)).expect(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 429, code: 'throttled', title: expect.any(String) });
      expect(refused.body.correlationId).toBe(refused.headers['x-correlation-id']);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      await t.http().get('/api/v1/auth/me').set(as(other.token)).expect(200);
      // The caller's sessions share one budget: a second sign-in does not get a fresh one.
      const again = await t.factories.login(user.email, user.password);
      await t.http().get('/api/v1/auth/me').set(as(again)).expect(429);
    });

    it('gives a personal token a budget of its own', async () => {
      const user = await t.factories.newUser();
      const pat = await t
        .http()
        .post('/api/v1/auth/tokens')
        .set(as(user.token))
        .send({ name: 'script', expiresInDays: 1 })
        .expect(201);
      const burst = await Promise.all(
        Array.from({ length: 30 }, () => t.http().get('/api/v1/auth/me').set(as(pat.body.token))),
      );
      expect(statuses(burst)).toEqual({ 200: 20, 429: 10 });
      await t.http().get('/api/v1/auth/me').set(as(user.token)).expect(200);
    });

    it('holds across two instances on one database, and across a restart', async () => {
      const user = await t.factories.newUser();
      const second = await startTestApp(
        { RATE_LIMIT_PER_MINUTE: '20', RATE_LIMIT_PER_IP_PER_MINUTE: '100000' },
        { database: t.db },
      );
      try {
        const responses = [];
        for (let i = 0; i < 12; i++) {
          responses.push(await t.http().get('/api/v1/auth/me').set(as(user.token)));
          responses.push(await second.http().get('/api/v1/auth/me').set(as(user.token)));
        }
        expect(statuses(responses)).toEqual({ 200: 20, 429: 4 });
      } finally {
        await second.close();
      }
      const restarted = await startTestApp(
        { RATE_LIMIT_PER_MINUTE: '20', RATE_LIMIT_PER_IP_PER_MINUTE: '100000' },
        { database: t.db },
      );
      try {
        await restarted.http().get('/api/v1/auth/me').set(as(user.token)).expect(429);
      } finally {
        await restarted.close();
      }
    });
  });

  describe('per client address, with trust proxy off (the default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_PER_IP_PER_MINUTE: '15', LOGIN_MAX_FAILURES_PER_IP: '3' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('counts requests before authentication, ignores X-Forwarded-For, and leaves health alone', async () => {
      for (let i = 0; i < 15; i++) {
        await t
          .http()
          .get('/api/v1/auth/me')
          .set('X-Forwarded-For', `192.0.2.${i + 1}`)
          .expect(401);
      }
      const refused = await t.http().get('/api/v1/auth/me').set('X-Forwarded-For', '192.0.2.200').expect(429);
      expect(refused.body.code).toBe('throttled');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      await t.http().post('/api/v1/auth/login').send({ email: 'x@test.ilr', password: 'y' }).expect(429);
      await t.http().get('/health').expect(200);
      await t.http().get('/health').expect(200);
    });

    it('keys the sign-in throttle by the peer address, whatever X-Forwarded-For says', async () => {
      const app = await startTestApp({ LOGIN_MAX_FAILURES_PER_IP: '3' });
      try {
        const attempt = (i: number) =>
          app
            .http()
            .post('/api/v1/auth/login')
            .set('X-Forwarded-For', `203.0.113.${i}`)
            .send({ email: `nobody.${i}@test.ilr`, password: 'wrong-password-x' });
        for (let i = 0; i < 3; i++) await attempt(i).expect(401);
        await attempt(99).expect(429);
      } finally {
        await app.close();
      }
    });
  });

  describe('per client address, behind a trusted proxy (TRUST_PROXY=loopback)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_PER_IP_PER_MINUTE: '5', TRUST_PROXY: 'loopback' });
    });
    afterAll(async () => {
      await t.close();
    });

    it("counts each client named by the proxy's X-Forwarded-For on its own", async () => {
      const from = (ip: string) => t.http().get('/api/v1/auth/me').set('X-Forwarded-For', ip);
      for (let i = 0; i < 5; i++) await from('192.0.2.1').expect(401);
      await from('192.0.2.1').expect(429);
      await from('192.0.2.2').expect(401);
    });
  });

  describe('the PostgreSQL store', () => {
    let t: TestApp;
    let throttle: ThrottleService;
    beforeAll(async () => {
      t = await startTestApp();
      throttle = t.app.get(ThrottleService);
    });
    afterAll(async () => {
      await t.close();
    });

    it('counts concurrent hits atomically: each gets its own count', async () => {
      const decisions = await Promise.all(Array.from({ length: 50 }, () => throttle.consume('test:burst', 10, 60)));
      expect(decisions.map((d) => d.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
      const refused = decisions.find((d) => !d.allowed)!;
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    });

    it('starts a new window when the old one ends, and never releases below zero', async () => {
      expect((await throttle.consume('test:window', 1, 1)).allowed).toBe(true);
      expect((await throttle.consume('test:window', 1, 1)).allowed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await throttle.consume('test:window', 1, 1)).toEqual({ allowed: true, retryAfterSeconds: 0, count: 1 });
      await throttle.release('test:window');
      await throttle.release('test:window');
      expect((await throttle.consume('test:window', 1, 1)).count).toBe(1);
    });

    it('prunes windows that ended', async () => {
      await t.dataSource.query(
        "INSERT INTO throttle_counters (key, hits, expires_at) VALUES ('test:old', 3, now() - interval '1 minute')",
      );
      await throttle.consume('test:live', 5, 60);
      const pruned = await t.app.get(ThrottleRepository).pruneExpired();
      expect(pruned).toBeGreaterThanOrEqual(1);
      const keys: Array<{ key: string }> = await t.dataSource.query('SELECT key FROM throttle_counters');
      expect(keys.map((row) => row.key)).not.toContain('test:old');
      expect(keys.map((row) => row.key)).toContain('test:live');
    });
  });

  // Decided at describe time: without a reachable Redis this block holds one test that says so.
  describe(
    redisMissing ? `the Redis store — NOT RUN: no Redis at ${REDIS_URL}` : `the Redis store (${REDIS_URL})`,
    () => {
      if (redisMissing) {
        it(`did not run: Redis is not reachable (${redisMissing}); start one or set REDIS_URL`, () => {
          expect(redisMissing).toEqual(expect.any(String));
        });
        return;
      }

      const env = {
        REDIS_URL,
        TRUST_PROXY: 'loopback',
        RATE_LIMIT_PER_MINUTE: '20',
        RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
        LOGIN_MAX_FAILURES_PER_EMAIL: '3',
      };
      let t: TestApp;
      let redis: Redis;
      const run = randomBytes(4).toString('hex');
      beforeAll(async () => {
        t = await startTestApp(env);
        redis = new Redis(REDIS_URL);
      });
      afterAll(async () => {
        await t.close();
        const keys = await redis.keys(`ilr:throttle:test:${run}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      });

      it('limits a caller with counters that live in Redis, not in PostgreSQL', async () => {
        const user = await t.factories.newUser();
        for (let i = 0; i < 20; i++) await t.http().get('/api/v1/auth/me').set(as(user.token)).expect(200);
        const refused = await t.http().get('/api/v1/auth/me').set(as(user.token)).expect(429);
        expect(refused.body.code).toBe('throttled');
        const ttl = await redis.pttl(`ilr:throttle:credential:user:${user.id}`);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
        expect(await t.dataSource.query('SELECT key FROM throttle_counters')).toEqual([]);
      });

      it('throttles sign-in attempts through Redis, across a restart', async () => {
        const user = await t.factories.newUser();
        const attempt = (app: TestApp, password: string, i: number) =>
          app
            .http()
            .post('/api/v1/auth/login')
            .set('X-Forwarded-For', `198.51.100.${i}`)
            .send({ email: user.email, password });
        const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(t, 'wrong-password-x', i)));
        expect(statuses(burst)).toEqual({ 401: 3, 429: 7 });
        // Another instance on the same database and Redis (as after a restart) sees the same counts.
        const other = await startTestApp(env, { database: t.db });
        try {
          await attempt(other, user.password, 50).expect(429);
        } finally {
          await other.close();
        }
      });

      it('counts concurrent hits atomically', async () => {
        const throttle = t.app.get(ThrottleService);
        const key = `test:${run}:burst`;
        const decisions = await Promise.all(Array.from({ length: 50 }, () => throttle.consume(key, 10, 60)));
        expect(decisions.map((d) => d.count).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
        await throttle.release(key);
        expect((await throttle.consume(key, 10, 60)).count).toBe(50);
      });
    },
  );
});
