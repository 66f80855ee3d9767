import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ImportErrorEntity,
  ImportJobEntity,
  type ImportDataset,
  type ImportMode,
  type ImportOnError,
  type ImportStatus,
} from '../entities/import-job.entity.js';

export interface ImportCounts {
  rowsRead: number;
  accepted: number;
  rejected: number;
  created: number;
  unchanged: number;
  conflicts: number;
  errorCount: number;
}

export interface NewImportJob {
  requestedBy: string;
  dataset: ImportDataset;
  mode: ImportMode;
  onError: ImportOnError;
  surgeonId: string | null;
  fileName: string | null;
  bytes: number;
  sha256: string;
  claimedBy: string;
  leaseMs: number;
  correlationId: string | null;
}

export interface NewImportError {
  line: number;
  column: string | null;
  code: string;
  message: string;
}

// TypeORM answers an UPDATE … RETURNING with [rows, count].
const updated = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : []);

@Injectable()
export class ImportRepository {
  constructor(private readonly dataSource: DataSource) {}

  private jobs(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ImportJobEntity);
  }

  // A job is created running, leased to the worker of the process that received its file.
  async create(job: NewImportJob): Promise<ImportJobEntity> {
    const { leaseMs, bytes, ...values } = job;
    const [row] = await this.dataSource.query(
      `INSERT INTO import_jobs (requested_by, dataset, mode, on_error, surgeon_id, status, file_name, bytes, sha256,
                                claimed_by, lease_expires_at, correlation_id)
       VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $8, $9, now() + make_interval(secs => $10::double precision / 1000), $11)
       RETURNING id`,
      [
        values.requestedBy,
        values.dataset,
        values.mode,
        values.onError,
        values.surgeonId,
        values.fileName,
        bytes,
        values.sha256,
        values.claimedBy,
        leaseMs,
        values.correlationId,
      ],
    );
    return (await this.find(row.id))!;
  }

  find(id: string, manager?: EntityManager): Promise<ImportJobEntity | null> {
    return this.jobs(manager).findOneBy({ id });
  }

  // Newest first; a staff member's own, or everyone's (requestedBy undefined).
  async list(
    filter: { requestedBy?: string },
    limit: number,
    after?: { createdAt: string; id: string },
  ): Promise<{ items: ImportJobEntity[]; hasMore: boolean }> {
    const query = this.jobs().createQueryBuilder('j').orderBy('j.created_at', 'DESC').addOrderBy('j.id', 'DESC');
    if (filter.requestedBy) query.andWhere('j.requested_by = :requestedBy', { requestedBy: filter.requestedBy });
    if (after) query.andWhere('(j.created_at, j.id) < (:createdAt, :id)', after);
    const rows = await query.take(limit + 1).getMany();
    return { items: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  // The heartbeat of the worker running a job; false when the job is no longer its own (failed by
  // another process after the lease ran out).
  async renewLease(id: string, workerId: string, leaseMs: number): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE import_jobs SET lease_expires_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE id = $1 AND claimed_by = $2 AND status = 'running' RETURNING id`,
      [id, workerId, leaseMs],
    );
    return updated(result).length === 1;
  }

  // Progress so far; inside a batch's transaction when it commits with the batch.
  async progress(id: string, counts: ImportCounts, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `UPDATE import_jobs SET rows_read = $2, accepted = $3, rejected = $4, created = $5, unchanged = $6,
              conflicts = $7, error_count = $8
       WHERE id = $1`,
      [
        id,
        counts.rowsRead,
        counts.accepted,
        counts.rejected,
        counts.created,
        counts.unchanged,
        counts.conflicts,
        counts.errorCount,
      ],
    );
  }

  async finish(
    id: string,
    status: Exclude<ImportStatus, 'running'>,
    counts: ImportCounts,
    error: string | null,
    manager?: EntityManager,
  ): Promise<void> {
    await this.progress(id, counts, manager);
    await (manager ?? this.dataSource.manager).query(
      `UPDATE import_jobs SET status = $2, error = $3, finished_at = now(), claimed_by = NULL, lease_expires_at = NULL
       WHERE id = $1 AND status = 'running'`,
      [id, status, error],
    );
  }

  // Running jobs whose worker stopped — these ids (the service is stopping), or every job whose lease ran
  // out (its process died) — failed, saying what was kept: a validate run and a reject_all commit wrote
  // nothing; a skip_invalid commit kept the batches its counters say were created.
  async interrupt(ids?: string[]): Promise<Array<{ id: string; requestedBy: string }>> {
    const which = ids ? 'id = ANY($1::uuid[])' : 'lease_expires_at < now()';
    const result = await this.dataSource.query(
      `UPDATE import_jobs SET status = 'failed', finished_at = now(), claimed_by = NULL, lease_expires_at = NULL,
         error = CASE
           WHEN mode = 'validate' THEN 'The check was interrupted (the service stopped) after ' || rows_read || ' rows; nothing was written. Upload the file again.'
           WHEN on_error = 'reject_all' THEN 'The import was interrupted (the service stopped) before it committed: nothing was written. Upload the file again.'
           ELSE 'The import was interrupted (the service stopped) after ' || rows_read || ' rows: the ' || created || ' records counted as created were written and are kept; nothing after them was. Import the same file again: rows already imported come back unchanged.'
         END
       WHERE status = 'running' AND ${which}
       RETURNING id, requested_by AS "requestedBy"`,
      ids ? [ids] : [],
    );
    return updated(result);
  }

  // Rejected rows' problems, numbered on from `seq`.
  async addErrors(id: string, seq: number, errors: NewImportError[], manager?: EntityManager): Promise<void> {
    const m = manager ?? this.dataSource.manager;
    for (let start = 0; start < errors.length; start += 2000) {
      const chunk = errors.slice(start, start + 2000);
      await m.query(
        `INSERT INTO import_errors (import_id, seq, line, "column", code, message)
         SELECT $1, $2::int + ordinality::int - 1, e.line, e.col, e.code, e.message
         FROM unnest($3::int[], $4::varchar[], $5::varchar[], $6::text[]) WITH ORDINALITY AS e(line, col, code, message)`,
        [
          id,
          seq + start,
          chunk.map((e) => e.line),
          chunk.map((e) => e.column),
          chunk.map((e) => e.code),
          chunk.map((e) => e.message),
        ],
      );
    }
  }

  listErrors(id: string, limit: number, afterSeq = 0): Promise<ImportErrorEntity[]> {
    return this.dataSource
      .getRepository(ImportErrorEntity)
      .createQueryBuilder('e')
      .where('e.import_id = :id AND e.seq > :afterSeq', { id, afterSeq })
      .orderBy('e.seq', 'ASC')
      .take(limit)
      .getMany();
  }
}
