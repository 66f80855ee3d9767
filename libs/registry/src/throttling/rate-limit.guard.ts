import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import type { AuthenticatedRequest } from '../access/auth.decorators.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { SharedThrottlerStorage } from './shared-throttler-storage.js';
import { clientAddress, LOGIN_ATTEMPT, loginEmailTracker, THROTTLERS, throttleKey } from './throttle-keys.js';

const MINUTE_MS = 60_000;

// @nestjs/throttler's guard with our throttlers, keys and problem+json 429s. Two instances run as
// global guards: ClientRateLimitGuard before authentication (per address, and sign-in attempts, so
// that an attempt is counted before its password is checked), CredentialRateLimitGuard after it (per
// caller). Health routes are not limited: a load balancer's probes must not be refused.
// Every constructor parameter is @Inject-ed explicitly: ThrottlerGuard's own parameter tokens would
// otherwise be inherited through its decorator metadata.
// Health probes are never limited (a load balancer polls them); everything else is. The OpenAPI
// document reads this too, to give the limited routes their 429.
export function throttledPath(path: string): boolean {
  return path !== '/health' && !path.startsWith('/health/');
}

abstract class RateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !throttledPath(context.switchToHttp().getRequest<Request>().path);
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const login = detail.key.startsWith('login-');
    throw new DomainError(
      ErrorCode.Throttled,
      login ? 'Too many sign-in attempts. Try again later.' : 'Too many requests. Try again later.',
      { headers: { 'Retry-After': String(detail.timeToBlockExpire) } },
    );
  }
}

const keyOf = (_context: ExecutionContext, tracker: string, throttler: string) => throttleKey(throttler, tracker);

@Injectable()
export class ClientRateLimitGuard extends RateLimitGuard {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(SharedThrottlerStorage) storage: SharedThrottlerStorage,
    @Inject(Reflector) reflector: Reflector,
  ) {
    const notLogin = (context: ExecutionContext) =>
      !reflector.get<boolean | undefined>(LOGIN_ATTEMPT, context.getHandler());
    const { maxPerEmail, maxPerIp, windowSeconds } = config.loginThrottle;
    const byAddress = (request: Record<string, unknown>) => clientAddress(request.ip as string | undefined);
    const throttlers: ThrottlerOptions[] = [
      { name: THROTTLERS.ip, ttl: MINUTE_MS, limit: config.rateLimit.perIpPerMinute, getTracker: byAddress },
      {
        name: THROTTLERS.loginEmail,
        ttl: windowSeconds * 1000,
        limit: maxPerEmail,
        skipIf: notLogin,
        setHeaders: false,
        getTracker: (request) => loginEmailTracker((request.body as { email?: unknown } | undefined)?.email),
      },
      {
        name: THROTTLERS.loginIp,
        ttl: windowSeconds * 1000,
        limit: maxPerIp,
        skipIf: notLogin,
        setHeaders: false,
        getTracker: byAddress,
      },
    ];
    super({ throttlers, generateKey: keyOf }, storage, reflector);
  }
}

@Injectable()
export class CredentialRateLimitGuard extends RateLimitGuard {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(SharedThrottlerStorage) storage: SharedThrottlerStorage,
    @Inject(Reflector) reflector: Reflector,
  ) {
    const caller = (request: Record<string, unknown>) => {
      const auth = (request as unknown as AuthenticatedRequest).auth!;
      return auth.via === 'api_token' ? `token:${auth.tokenId}` : `user:${auth.user.id}`;
    };
    const throttlers: ThrottlerOptions[] = [
      {
        name: THROTTLERS.credential,
        ttl: MINUTE_MS,
        limit: config.rateLimit.perMinute,
        skipIf: (context) => !context.switchToHttp().getRequest<AuthenticatedRequest>().auth,
        getTracker: caller,
      },
    ];
    super({ throttlers, generateKey: keyOf }, storage, reflector);
  }
}
