import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode } from '../common/errors.js';

// Counts failed logins in a sliding window, per email and per client IP, and refuses further
// attempts (429) once either is over its limit — even with the right password, so that guessing
// cannot continue. Kept in memory: one API process per database is the deployment this registry
// supports; a restart clears the counters, which errs toward letting users back in.
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private recent(key: string, now: number): number[] {
    const windowMs = this.config.loginThrottle.windowSeconds * 1000;
    const kept = (this.failures.get(key) ?? []).filter((at) => now - at < windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  assertAllowed(email: string, ip: string, now = Date.now()): void {
    const { maxPerEmail, maxPerIp, windowSeconds } = this.config.loginThrottle;
    const byEmail = this.recent(`email:${email}`, now);
    const byIp = this.recent(`ip:${ip}`, now);
    const blocked = [byEmail.length >= maxPerEmail ? byEmail : null, byIp.length >= maxPerIp ? byIp : null].filter(
      (list): list is number[] => list !== null,
    );
    if (blocked.length === 0) return;
    const oldest = Math.max(...blocked.map((list) => list[list.length - (list === byEmail ? maxPerEmail : maxPerIp)]));
    const retryAfter = Math.max(1, Math.ceil((oldest + windowSeconds * 1000 - now) / 1000));
    throw new DomainError(ErrorCode.Throttled, 'Too many failed sign-in attempts. Try again later.', {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  recordFailure(email: string, ip: string, now = Date.now()): void {
    if (this.failures.size > 50_000) this.prune(now);
    for (const key of [`email:${email}`, `ip:${ip}`]) {
      const list = this.failures.get(key) ?? [];
      list.push(now);
      this.failures.set(key, list);
    }
  }

  recordSuccess(email: string): void {
    this.failures.delete(`email:${email}`);
  }

  private prune(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
  }
}
