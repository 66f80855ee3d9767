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

  // Progress so far, by the worker that holds the job (inside a batch's transaction when it commits with
  // the batch); false when the job is no longer its own, running (failed by another process meanwhile).
  async progress(id: string, workerId: string, counts: ImportCounts, manager?: EntityManager): Promise<boolean> {
    const result = await (manager ?? this.dataSource.manager).query(
      `UPDATE import_jobs SET rows_read = $2, accepted = $3, rejected = $4, created = $5, unchanged = $6,
              conflicts = $7, error_count = $8
       WHERE id = $1 AND claimed_by = $9 AND status = 'running'
       RETURNING id`,
      [
        id,
        counts.rowsRead,
        counts.accepted,
        counts.rejected,
        counts.created,
        counts.unchanged,
        counts.conflicts,
        counts.errorCount,
        workerId,
      ],
    );
    return updated(result).length === 1;
  }

  // The end of a job its worker still holds.
  async finish(
    id: string,
    workerId: string,
    status: Exclude<ImportStatus, 'running'>,
    counts: ImportCounts,
    error: string | null,
  ): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE import_jobs SET status = $3, error = $4, finished_at = now(), claimed_by = NULL, lease_expires_at = NULL,
              rows_read = $5, accepted = $6, rejected = $7, created = $8, unchanged = $9, conflicts = $10, error_count = $11
       WHERE id = $1 AND claimed_by = $2 AND status = 'running'
       RETURNING id`,
      [
        id,
        workerId,
        status,
        error,
        counts.rowsRead,
        counts.accepted,
        counts.rejected,
        counts.created,
        counts.unchanged,
        counts.conflicts,
        counts.errorCount,
      ],
    );
    return updated(result).length === 1;
  }

  // Running jobs whose worker stopped — these ids (the service is stopping), or every job whose lease ran
  // out (its process died) — failed, saying what was kept: a validate run and a reject_all commit wrote
  // nothing; a skip_invalid commit kept the batches its counters say were created.
  // Nothing written is nothing created: a reject_all commit's and a validate run's counts of created rows
  // become 0. `except` is the calling worker, whose own running jobs are never taken as dead.
  async interrupt(
    which: { ids: string[] } | { expiredExcept: string },
  ): Promise<Array<{ id: string; requestedBy: string }>> {
    const where = 'ids' in which ? 'id = ANY($1::uuid[])' : 'lease_expires_at < now() AND claimed_by <> $1';
    const result = await this.dataSource.query(
      `UPDATE import_jobs SET status = 'failed', finished_at = now(), claimed_by = NULL, lease_expires_at = NULL,
         created = CASE WHEN mode = 'commit' AND on_error = 'skip_invalid' THEN created ELSE 0 END,
         error = CASE
           WHEN mode = 'validate' THEN 'The check was interrupted (the service stopped) after ' || rows_read || ' rows; nothing was written. Upload the file again.'
           WHEN on_error = 'reject_all' THEN 'The import was interrupted (the service stopped) before it committed: nothing was written. Upload the file again.'
           ELSE 'The import was interrupted (the service stopped) after ' || rows_read || ' rows: the ' || created || ' records counted as created were written and are kept; nothing after them was. Import the same file again: rows already imported come back unchanged.'
         END
       WHERE status = 'running' AND ${where}
       RETURNING id, requested_by AS "requestedBy"`,
      ['ids' in which ? which.ids : which.expiredExcept],
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
