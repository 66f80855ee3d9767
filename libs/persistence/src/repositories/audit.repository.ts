import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuditChange, AuditEventEntity } from '../entities/audit-event.entity.js';

export interface NewAuditEvent {
  actorId: string | null;
  // A named system actor (`system:export-worker`) when no user acted.
  actorSystem?: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  caseId?: string | null;
  changes?: AuditChange[];
  details?: Record<string, unknown> | null;
  reason?: string | null;
  correlationId?: string | null;
}

export interface AuditEventWithActor extends AuditEventEntity {
  actorDisplayName: string | null;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Appends events inside the caller's transaction, all in one statement. The database trigger
  // numbers and chains each row under a lock held until commit, so callers append last, once, just
  // before committing: the shorter that locked stretch, the more transactions commit per second.
  async append(manager: EntityManager, events: NewAuditEvent | NewAuditEvent[]): Promise<void> {
    const list = Array.isArray(events) ? events : [events];
    if (list.length === 0) return;
    const params: unknown[] = [];
    const rows = list.map((event) => {
      const base = params.length;
      params.push(
        event.actorId,
        event.action,
        event.entityType,
        event.entityId,
        event.caseId ?? null,
        JSON.stringify(event.changes ?? []),
        event.details ? JSON.stringify(event.details) : null,
        event.reason ?? null,
        event.correlationId ?? null,
        event.actorSystem ?? null,
      );
      const p = (i: number) => `$${base + i}`;
      return `(date_trunc('milliseconds', clock_timestamp()), ${p(1)}::uuid, ${p(2)}, ${p(3)}, ${p(4)}::uuid, ${p(5)}::uuid, ${p(6)}::jsonb, ${p(7)}::jsonb, ${p(8)}, ${p(9)}, ${p(10)}, '', '')`;
    });
    await manager.query(
      `INSERT INTO audit_events (at, actor_id, action, entity_type, entity_id, case_id, changes, details, reason, correlation_id, actor_system, prev_hash, hash)
       VALUES ${rows.join(', ')}`,
      params,
    );
  }

  async listForCase(caseId: string): Promise<AuditEventWithActor[]> {
    const rows = await this.dataSource
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .leftJoin('users', 'u', 'u.id = e.actor_id')
      .addSelect('u.display_name', 'actor_display_name')
      .where('e.case_id = :caseId', { caseId })
      .orderBy('e.id', 'ASC')
      .getRawAndEntities();
    return rows.entities.map((entity, index) => ({
      ...entity,
      actorDisplayName: rows.raw[index].actor_display_name ?? null,
    }));
  }

  // Each event of one case, re-hashed from its stored predecessor hash, and that predecessor hash
  // compared with the row actually before it: an edited event, or an edited or removed neighbour,
  // shows as intact = false. (verify() checks the whole chain.)
  async verifyCase(caseId: string): Promise<Array<{ id: string; intact: boolean }>> {
    const rows: Array<{ id: string; intact: boolean }> = await this.dataSource.query(
      `SELECT e.id::text AS id,
              e.hash = encode(sha256(convert_to(e.prev_hash || '|' || audit_event_canonical(e), 'UTF8')), 'hex')
              AND e.prev_hash = coalesce((SELECT p.hash FROM audit_events p WHERE p.id < e.id ORDER BY p.id DESC LIMIT 1), repeat('0', 64))
              AS intact
       FROM audit_events e WHERE e.case_id = $1 ORDER BY e.id`,
      [caseId],
    );
    return rows;
  }

  // Rows whose hash does not follow from their predecessor: empty when the trail is intact.
  async verify(): Promise<Array<{ id: string }>> {
    const rows: Array<{ broken_id: string }> = await this.dataSource.query(
      'SELECT broken_id FROM audit_events_verify()',
    );
    return rows.map((row) => ({ id: String(row.broken_id) }));
  }
}
