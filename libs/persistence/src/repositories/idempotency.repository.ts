import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { IdempotencyKeyEntity } from '../entities/idempotency-key.entity.js';

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; requestHash: string; status: number; body: unknown; headers: Record<string, string> };

@Injectable()
export class IdempotencyRepository {
  // Claims (user, key) inside the caller's transaction. A concurrent request with the same key
  // blocks on the unique index until this transaction ends: after a commit it gets the stored
  // response; after a rollback it claims the key itself.
  async claim(manager: EntityManager, userId: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
      [userId, key, requestHash],
    );
    if (inserted.length > 0) return { kind: 'claimed' };
    const existing = await manager.getRepository(IdempotencyKeyEntity).findOneByOrFail({ userId, key });
    return {
      kind: 'replay',
      requestHash: existing.requestHash,
      status: existing.responseStatus ?? 500,
      body: existing.responseBody,
      headers: existing.responseHeaders ?? {},
    };
  }

  async complete(
    manager: EntityManager,
    userId: string,
    key: string,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<void> {
    await manager.query(
      `UPDATE idempotency_keys SET response_status = $3, response_body = $4::jsonb, response_headers = $5::jsonb
       WHERE user_id = $1 AND key = $2`,
      [userId, key, status, JSON.stringify(body), JSON.stringify(headers)],
    );
  }
}
