import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottleStore } from './throttle-store.js';

// Not exported by the package's index.
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// @nestjs/throttler's storage on the shared store, instead of its default in-process Map. Fixed
// windows: a key over its limit stays blocked until its window ends (the block lasts the rest of the
// window whatever `blockDuration` says), and every hit, blocked or not, is counted.
@Injectable()
export class SharedThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly store: ThrottleStore) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const hit = await this.store.hit(key, ttl);
    const seconds = Math.max(1, Math.ceil(hit.msToReset / 1000));
    const isBlocked = hit.count > limit;
    return { totalHits: hit.count, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
  }
}
