import { Injectable } from '@nestjs/common';
import { IdempotencyRepository } from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import type { AuthContext } from '../access/access.policy.js';
import { DomainError, ErrorCode } from './errors.js';
import type { HttpResult, IdempotencyRequest } from './preconditions.js';

// Runs a creating request at most once per (caller, Idempotency-Key), inside the transaction that
// does the work: the claim, the work and the stored response commit or roll back together.
@Injectable()
export class IdempotencyService {
  constructor(private readonly keys: IdempotencyRepository) {}

  async run<T>(
    manager: EntityManager,
    auth: AuthContext,
    idempotency: IdempotencyRequest | undefined,
    work: () => Promise<HttpResult<T>>,
  ): Promise<HttpResult<T>> {
    if (!idempotency) return work();
    const claim = await this.keys.claim(manager, auth.user.id, idempotency.key, idempotency.requestHash);
    if (claim.kind === 'replay') {
      if (claim.requestHash !== idempotency.requestHash) {
        throw new DomainError(
          ErrorCode.IdempotencyKeyReused,
          'This Idempotency-Key was used for a different request. Use a new key for a new request.',
        );
      }
      return {
        status: claim.status,
        body: claim.body as T,
        headers: { ...claim.headers, 'Idempotent-Replayed': 'true' },
      };
    }
    const result = await work();
    await this.keys.complete(manager, auth.user.id, idempotency.key, result.status, result.body, result.headers);
    return result;
  }
}
