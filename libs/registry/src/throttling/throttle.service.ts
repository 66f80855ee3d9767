import { Injectable } from '@nestjs/common';
import { ThrottleStore } from './throttle-store.js';

export interface ThrottleDecision {
  allowed: boolean;
  // 0 when allowed; otherwise whole seconds until the window ends (for a Retry-After header).
  retryAfterSeconds: number;
  // Attempts counted in the current window, this one included.
  count: number;
}

// Throttles anything "like failed logins": each call counts one attempt under `key` in a fixed window
// of `windowSeconds`, atomically in the shared store (PostgreSQL or Redis), and allows at most `limit`
// attempts per window across every API process. Count BEFORE doing the guarded work, so that a
// concurrent burst cannot slip past the limit. Keys must not contain identifiers in clear (hash them).
@Injectable()
export class ThrottleService {
  constructor(private readonly store: ThrottleStore) {}

  async consume(key: string, limit: number, windowSeconds: number): Promise<ThrottleDecision> {
    const hit = await this.store.hit(key, windowSeconds * 1000);
    const allowed = hit.count <= limit;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(hit.msToReset / 1000)),
      count: hit.count,
    };
  }

  // Gives back one attempt counted by consume (e.g. the attempt succeeded and should not count).
  release(key: string): Promise<void> {
    return this.store.release(key);
  }
}
