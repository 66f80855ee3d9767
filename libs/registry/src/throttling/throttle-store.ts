import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ThrottleRepository } from '@ilr/persistence';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LOGGER } from '../common/logger.js';

export interface ThrottleHit {
  // Hits in the current window, this one included.
  count: number;
  // Milliseconds until the window ends and the count starts again from zero.
  msToReset: number;
}

// The shared store behind every throttle (login attempts, API rate limits, refused patient links):
// fixed-window counters that live outside the process — in PostgreSQL, or in Redis when REDIS_URL is
// set — so that the limits hold across API processes and restarts. Each hit is one atomic increment.
export abstract class ThrottleStore {
  abstract hit(key: string, windowMs: number): Promise<ThrottleHit>;
  // Takes one hit back (a login that turned out to be right), never below zero.
  abstract release(key: string): Promise<void>;
}

const MAX_KEY_LENGTH = 200;

// Keys are short and never carry an identifier in clear; an over-long key is replaced by its hash.
export function storeKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

const PRUNE_EVERY_MS = 60_000;

@Injectable()
export class PostgresThrottleStore extends ThrottleStore implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly counters: ThrottleRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  hit(key: string, windowMs: number): Promise<ThrottleHit> {
    return this.counters.hit(storeKey(key), windowMs);
  }

  release(key: string): Promise<void> {
    return this.counters.release(storeKey(key));
  }

  // Ended windows are deleted once a minute by whichever process gets there (SKIP LOCKED: no waiting).
  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.counters.pruneExpired().catch((error: unknown) => {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'throttle prune failed');
      });
    }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

// INCR, and start the window's expiry on the first hit (or if a key somehow lost its expiry).
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

// DECR keeps the key's expiry; a key that expired meanwhile is left alone.
const RELEASE_SCRIPT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

const REDIS_PREFIX = 'ilr:throttle:';

// Redis keys expire by themselves (PEXPIRE): nothing to prune. If Redis is unreachable, a hit fails
// and the request is answered 500: the throttles fail closed rather than open.
@Injectable()
export class RedisThrottleStore extends ThrottleStore implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(LOGGER) logger: Logger) {
    super();
    this.redis = new Redis(config.redisUrl!, { maxRetriesPerRequest: 2, connectTimeout: 5_000, lazyConnect: true });
    // ioredis reconnects by itself; say why it had to (the URL may hold a password: not logged).
    this.redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'throttle store: Redis error'));
  }

  async hit(key: string, windowMs: number): Promise<ThrottleHit> {
    const [count, ttl] = (await this.redis.eval(
      HIT_SCRIPT,
      1,
      REDIS_PREFIX + storeKey(key),
      String(Math.max(1, Math.round(windowMs))),
    )) as [number, number];
    return { count, msToReset: Math.max(0, ttl) };
  }

  async release(key: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, REDIS_PREFIX + storeKey(key));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

// PostgreSQL unless REDIS_URL is set.
export const THROTTLE_STORE_PROVIDER = {
  provide: ThrottleStore,
  inject: [APP_CONFIG, ThrottleRepository, LOGGER],
  useFactory: (config: AppConfig, counters: ThrottleRepository, logger: Logger): ThrottleStore =>
    config.redisUrl ? new RedisThrottleStore(config, logger) : new PostgresThrottleStore(counters, logger),
};
