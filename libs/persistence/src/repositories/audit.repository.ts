import { Injectable } from '@nestjs/common';
import pg from 'pg';
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

// The newest event of the chain: its id (chain order) and hash. An operator who keeps it elsewhere
// can later prove that nothing up to it was changed or removed.
export interface AuditHead {
  id: string;
  hash: string;
}

// What audit_events_verify() reports, one row per problem.
export interface AuditChainProblem {
  id: string;
  problem:
    | 'hash_mismatch'
    | 'chain_version_regressed'
    | 'checkpointed_event_missing'
    | 'checkpoint_mismatch'
    | 'not_checkpointed';
}

// The INSERT of a batch of events, each row's values given as SQL text (placeholders or literals).
function insertSql(rows: string[][]): string {
  const tuples = rows.map(
    (v) =>
      `(date_trunc('milliseconds', clock_timestamp()), ${v[0]}::uuid, ${v[1]}, ${v[2]}, ${v[3]}::uuid, ${v[4]}::uuid, ${v[5]}::jsonb, ${v[6]}::jsonb, ${v[7]}, ${v[8]}, ${v[9]}, '', '')`,
  );
  return `INSERT INTO audit_events (at, actor_id, action, entity_type, entity_id, case_id, changes, details, reason, correlation_id, actor_system, prev_hash, hash)
       VALUES ${tuples.join(', ')}
       RETURNING id::text AS id, hash`;
}

// The pg client of the caller's open transaction (TypeORM's PostgresQueryRunner.databaseConnection),
// or undefined outside one. test/e2e/audit-commit.e2e.spec.ts fails if TypeORM stops exposing it.
function transactionClient(manager: EntityManager): pg.PoolClient | undefined {
  const runner = manager.queryRunner as
    (typeof manager.queryRunner & { databaseConnection?: pg.PoolClient }) | undefined;
  return runner?.isTransactionActive ? runner.databaseConnection : undefined;
}

// The chaining trigger takes its lock at the INSERT and holds it to the end of the transaction. Sent
// as separate requests, the COMMIT waits on the Node event loop (measured: 12 ms median at 16
// concurrent case writes) while every other writer queues on that lock. Sent in one simple-protocol
// message, INSERT; COMMIT runs in PostgreSQL back to back, so the lock is held for the insert and the
// commit only. The values are literals (pg.escapeLiteral: the simple protocol takes no parameters).
// A new empty transaction is opened after the commit, for the ORM's own COMMIT to close. If the
// INSERT fails, PostgreSQL skips the rest of the message and the transaction rolls back as usual.
async function insertAndCommit(
  client: pg.PoolClient,
  values: unknown[][],
): Promise<Array<{ id: string; hash: string }>> {
  const literal = (value: unknown) =>
    value === null || value === undefined ? 'NULL' : pg.escapeLiteral(String(value));
  const sql = `${insertSql(values.map((row) => row.map(literal)))}; COMMIT; BEGIN`;
  const results = (await client.query(sql)) as unknown as pg.QueryResult<{ id: string; hash: string }>[];
  return results[0].rows;
}

// An event's values in insertSql's order.
function valuesOf(event: NewAuditEvent): unknown[] {
  return [
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
  ];
}

@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Appends events inside the caller's transaction, all in one statement. The database trigger
  // numbers and chains each row under a lock held until commit, so callers append last, once, just
  // before committing: the shorter that locked stretch, the more transactions commit per second.
  // With `commit`, the caller's transaction is committed in the same round trip (insertAndCommit):
  // nothing may be written after it.
  // Returns the chain's new head (the last event written), which the database also records in
  // audit_checkpoints.
  async append(
    manager: EntityManager,
    events: NewAuditEvent | NewAuditEvent[],
    options: { commit?: boolean } = {},
  ): Promise<AuditHead | undefined> {
    const list = Array.isArray(events) ? events : [events];
    if (list.length === 0) return undefined;
    const values = list.map(valuesOf);
    const client = options.commit ? transactionClient(manager) : undefined;
    const written = client
      ? await insertAndCommit(client, values)
      : ((await manager.query(
          insertSql(values.map((row, r) => row.map((_, i) => `$${r * row.length + i + 1}`))),
          values.flat(),
        )) as Array<{ id: string; hash: string }>);
    return written.reduce<AuditHead | undefined>(
      (head, row) => (!head || BigInt(row.id) > BigInt(head.id) ? { id: row.id, hash: row.hash } : head),
      undefined,
    );
  }

  // A long write of many records (an import) keeps its events in a temporary table as it goes, and
  // appends them all at its end (appendStagedAndCommit): the chain's lock is then held for that one
  // statement and the commit, not for the whole write, and the events are never all in memory.
  async stage(manager: EntityManager, events: NewAuditEvent[]): Promise<void> {
    await manager.query(
      `CREATE TEMP TABLE IF NOT EXISTS audit_staging (
         ord bigserial PRIMARY KEY, actor_id uuid, action varchar, entity_type varchar, entity_id uuid,
         case_id uuid, changes jsonb, details jsonb, reason text, correlation_id varchar, actor_system varchar
       ) ON COMMIT DROP`,
    );
    // The whole batch as one JSON parameter (its values as they are, changes and details as JSON).
    await manager.query(
      `INSERT INTO audit_staging (actor_id, action, entity_type, entity_id, case_id, changes, details, reason, correlation_id, actor_system)
       SELECT actor_id, action, entity_type, entity_id, case_id, changes, details, reason, correlation_id, actor_system
       FROM json_to_recordset($1::json) AS e(actor_id uuid, action varchar, entity_type varchar, entity_id uuid,
         case_id uuid, changes jsonb, details jsonb, reason text, correlation_id varchar, actor_system varchar)`,
      [
        JSON.stringify(
          events.map((e) => ({
            actor_id: e.actorId,
            action: e.action,
            entity_type: e.entityType,
            entity_id: e.entityId,
            case_id: e.caseId ?? null,
            changes: e.changes ?? [],
            details: e.details ?? null,
            reason: e.reason ?? null,
            correlation_id: e.correlationId ?? null,
            actor_system: e.actorSystem ?? null,
          })),
        ),
      ],
    );
  }

  // Appends the staged events, then `events`, in order, and commits in the same round trip (as append
  // with `commit`). Returns the chain's new head.
  async appendStagedAndCommit(manager: EntityManager, events: NewAuditEvent[]): Promise<AuditHead | undefined> {
    await this.stage(manager, events);
    const client = transactionClient(manager);
    if (!client) throw new Error('appendStagedAndCommit needs an open transaction');
    const sql = `WITH written AS (
        INSERT INTO audit_events (at, actor_id, action, entity_type, entity_id, case_id, changes, details, reason, correlation_id, actor_system, prev_hash, hash)
        SELECT date_trunc('milliseconds', clock_timestamp()), actor_id, action, entity_type, entity_id, case_id, changes, details, reason, correlation_id, actor_system, '', ''
        FROM audit_staging ORDER BY ord
        RETURNING id, hash)
      SELECT id::text AS id, hash FROM written ORDER BY id DESC LIMIT 1; COMMIT; BEGIN`;
    const results = (await client.query(sql)) as unknown as pg.QueryResult<{ id: string; hash: string }>[];
    const [head] = results[0].rows;
    return head ? { id: head.id, hash: head.hash } : undefined;
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

  // Each event of one case, checked where the case's events sit in the whole chain: it re-hashes
  // (by its chain version) to its stored hash; its stored predecessor hash is the hash of the row
  // actually before it; the row actually after it names it as predecessor; and no checkpoint lies
  // between it and that next row (or after it, for the newest). An edited event, or an edited or
  // removed neighbour — the newest events included — shows as intact = false.
  // (audit_events_verify() checks the whole chain.)
  async verifyCase(caseId: string): Promise<Array<{ id: string; intact: boolean }>> {
    const rows: Array<{ id: string; intact: boolean }> = await this.dataSource.query(
      `SELECT e.id::text AS id,
              e.hash = audit_event_digest(e.prev_hash, e)
              AND e.prev_hash = coalesce(p.hash, repeat('0', 64))
              AND e.chain_version >= coalesce(p.chain_version, 1)
              AND (n.id IS NULL OR n.prev_hash = e.hash)
              AND NOT EXISTS (SELECT 1 FROM audit_checkpoints c
                              WHERE c.event_id > e.id AND c.event_id < coalesce(n.id, 9223372036854775807))
              AND NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.event_id = e.id AND c.hash <> e.hash)
              AS intact
       FROM audit_events e
       LEFT JOIN LATERAL (SELECT p.hash, p.chain_version FROM audit_events p WHERE p.id < e.id ORDER BY p.id DESC LIMIT 1) p ON true
       LEFT JOIN LATERAL (SELECT n.id, n.prev_hash FROM audit_events n WHERE n.id > e.id ORDER BY n.id LIMIT 1) n ON true
       WHERE e.case_id = $1 ORDER BY e.id`,
      [caseId],
    );
    return rows;
  }

  // What is wrong with the whole chain: empty when the trail is intact.
  async verify(): Promise<AuditChainProblem[]> {
    const rows: Array<{ broken_id: string; problem: AuditChainProblem['problem'] }> = await this.dataSource.query(
      'SELECT broken_id::text AS broken_id, problem FROM audit_events_verify()',
    );
    return rows.map((row) => ({ id: row.broken_id, problem: row.problem }));
  }

  // The chain's head as last checkpointed by the database (undefined before the first event).
  async head(): Promise<(AuditHead & { at: Date }) | undefined> {
    const [row] = await this.dataSource.query(
      'SELECT event_id::text AS id, hash, at FROM audit_checkpoints ORDER BY event_id DESC LIMIT 1',
    );
    return row ? { id: row.id, hash: row.hash, at: row.at } : undefined;
  }
}
