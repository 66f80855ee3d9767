import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IdempotencyKeyEntity } from '../entities/idempotency-key.entity.js';

export type IdempotencyClaim =
  { kind: 'claimed' } | { kind: 'replay'; requestHash: string; status: number | null; resourceId: string | null };

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Claims (user, key) inside the caller's transaction. A concurrent request with the same key
  // blocks on the unique index until this transaction ends: after a commit it gets the stored
  // answer; after a rollback it claims the key itself.
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
      status: existing.responseStatus,
      resourceId: existing.resourceId,
    };
  }

  // Only what a replay needs: the status and the id of the record created. The response body is
  // rebuilt from that record, so no copy of it (with its identifiers) is kept.
  async complete(
    manager: EntityManager,
    userId: string,
    key: string,
    status: number,
    resourceId: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE idempotency_keys SET response_status = $3, resource_id = $4 WHERE user_id = $1 AND key = $2`,
      [userId, key, status, resourceId],
    );
  }

  // Forgets keys older than the retention period; returns how many were removed. Safe to run from
  // every process at once: each row is deleted once, whoever gets there first.
  async prune(olderThanHours: number): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`,
      [olderThanHours],
    );
    return result[1];
  }
}
