import { rm } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { type ImportCounts, type ImportDataset, type ImportJobEntity, ImportRepository } from '@ilr/persistence';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { AuthContext } from '../access/access.policy.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LOGGER } from '../common/logger.js';
import { ClinicalWrites } from '../writes/clinical-writes.js';
import { CaseRows } from './case-rows.js';
import { ComplicationRows } from './complication-rows.js';
import type { RowError } from './import-cells.js';
import { readRows, type StoredFile } from './import-file.js';
import {
  type BatchOutcome,
  type DatasetImporter,
  type ImportContext,
  type Prepared,
  type RawRow,
  SeenRecords,
} from './import-rows.js';
import { VisitRows } from './visit-rows.js';

// Rows per batch: one multi-row INSERT per table, one facts refresh, one audit append.
export const IMPORT_BATCH_ROWS = 500;

// Thrown inside a reject_all commit that found a bad row: the transaction rolls back.
class RejectAll extends Error {}
// Thrown when the lease was lost (another process failed the job): the work stops, writing nothing more.
class LeaseLost extends Error {}
// Thrown when the service stops: the work stops at the next batch, and the job is failed as interrupted.
class Interrupted extends Error {}

const zero = (): ImportCounts => ({
  rowsRead: 0,
  accepted: 0,
  rejected: 0,
  created: 0,
  unchanged: 0,
  conflicts: 0,
  errorCount: 0,
});

// Reads a stored file row by row in batches (never whole in memory) and, by the job's mode:
// - validate: checks each batch (DTOs, rules, look-ups) and writes nothing but the report;
// - commit + skip_invalid: each batch in its own unit of work (ClinicalWrites.run), its progress
//   committed with it, so that what the counters say was created is exactly what was written;
// - commit + reject_all: every batch in one bulk unit of work (ClinicalWrites.bulk), rolled back when
//   any row is bad (after the first bad row the rest are only checked).
// The report (import_errors) and, for validate and reject_all, the progress are written beside the
// work, so they survive a rollback.
@Injectable()
export class ImportRunner {
  private readonly importers: Record<ImportDataset, DatasetImporter>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dataSource: DataSource,
    private readonly repo: ImportRepository,
    private readonly writes: ClinicalWrites,
    caseRows: CaseRows,
    visitRows: VisitRows,
    complicationRows: ComplicationRows,
  ) {
    this.importers = { cases: caseRows, 'follow-ups': visitRows, complications: complicationRows };
  }

  async run(
    job: ImportJobEntity,
    auth: AuthContext,
    file: StoredFile,
    workerId: string,
    stop: AbortSignal,
  ): Promise<void> {
    const counts = zero();
    const log = { importId: job.id, dataset: job.dataset, mode: job.mode, onError: job.onError };
    let lost = false;
    const heartbeat = setInterval(() => {
      this.repo.renewLease(job.id, workerId, this.config.imports.leaseMs).then(
        (held) => {
          if (!held) lost = true;
        },
        (error: unknown) => this.logger.warn({ ...log, err: error }, 'import lease renewal failed'),
      );
    }, this.config.imports.heartbeatMs);
    heartbeat.unref();
    const check = () => {
      if (lost) throw new LeaseLost();
      if (stop.aborted) throw new Interrupted();
    };
    try {
      const status = await this.process(job, auth, file, counts, check, workerId);
      if (!(await this.repo.finish(job.id, workerId, status, counts, null))) throw new LeaseLost();
      await this.recordImport(auth, job, status, counts);
      this.logger.info({ ...log, status, ...counts }, 'import finished');
    } catch (error) {
      if (error instanceof LeaseLost) {
        this.logger.warn(log, 'import lease lost: this run stopped');
        return;
      }
      if (error instanceof Interrupted) {
        // What the database holds is the truth here: a skip_invalid commit's counters committed with each batch.
        await this.repo.interrupt({ ids: [job.id] });
        await this.recordImport(auth, job, 'failed', counts).catch(() => undefined);
        this.logger.warn(log, 'import interrupted: the service is stopping');
        return;
      }
      this.logger.error({ ...log, err: error }, 'import failed');
      const keeps = job.mode === 'commit' && job.onError === 'skip_invalid';
      if (!keeps) counts.created = 0;
      const kept =
        keeps && counts.created > 0
          ? ` The ${counts.created} records counted as created before it were written and are kept; import the same file again to add the rest (rows already imported come back unchanged).`
          : ' Nothing was written.';
      await this.repo
        .finish(
          job.id,
          workerId,
          'failed',
          counts,
          `The import failed after ${counts.rowsRead} rows; the log has the details under this import's id.${kept}`,
        )
        .catch(() => undefined);
      await this.recordImport(auth, job, 'failed', counts).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
      await rm(file.path, { force: true });
    }
  }

  private async process(
    job: ImportJobEntity,
    auth: AuthContext,
    file: StoredFile,
    counts: ImportCounts,
    check: () => void,
    workerId: string,
  ): Promise<'validated' | 'committed' | 'rejected'> {
    const importer = this.importers[job.dataset];
    const seen = new SeenRecords();
    const today = this.writes.today();
    const context = (over: Pick<ImportContext, 'manager' | 'write'>): ImportContext => ({
      job,
      auth,
      today,
      seen,
      ...over,
    });
    const tally = (rows: RawRow[], outcome: BatchOutcome) => {
      counts.rowsRead += rows.length;
      counts.created += outcome.created;
      counts.unchanged += outcome.unchanged;
      counts.conflicts += outcome.conflicts;
      counts.accepted += outcome.created + outcome.unchanged;
      counts.rejected += outcome.invalid + outcome.conflicts;
    };
    const report = async (errors: RowError[], manager = this.dataSource.manager) => {
      if (errors.length === 0) return;
      await this.repo.addErrors(job.id, counts.errorCount + 1, errors, manager);
      counts.errorCount += errors.length;
    };

    const ahead = () => preparedBatches(importer, { job, today }, job.dataset, file);
    if (job.mode === 'validate') {
      for await (const { rows, prepared } of ahead()) {
        check();
        const outcome = await importer.apply(context({ manager: this.dataSource.manager, write: null }), prepared);
        tally(rows, outcome);
        await report(outcome.errors);
        if (!(await this.repo.progress(job.id, workerId, counts))) throw new LeaseLost();
      }
      return 'validated';
    }

    if (job.onError === 'skip_invalid') {
      for await (const { rows, prepared } of ahead()) {
        check();
        await this.writes.run(auth, async (tx) => {
          const before = { ...counts };
          try {
            const outcome = await importer.apply(context({ manager: tx.manager, write: tx }), prepared);
            tally(rows, outcome);
            await report(outcome.errors, tx.manager);
            // The batch commits only while the job is still this worker's: else it rolls back.
            if (!(await this.repo.progress(job.id, workerId, counts, tx.manager))) throw new LeaseLost();
          } catch (error) {
            Object.assign(counts, before);
            throw error;
          }
        });
      }
      return 'committed';
    }

    try {
      await this.writes.bulk(auth, async (tx) => {
        for await (const { rows, prepared } of ahead()) {
          check();
          // After a bad row nothing will be kept: the rest is only checked (reads see this transaction's writes).
          const writing = counts.rejected === 0;
          const outcome = await importer.apply(context({ manager: tx.manager, write: writing ? tx : null }), prepared);
          tally(rows, outcome);
          await report(outcome.errors);
          if (!(await this.repo.progress(job.id, workerId, counts))) throw new LeaseLost();
          if (writing) await tx.flush();
        }
        check();
        if (counts.rejected > 0) throw new RejectAll();
      });
      return 'committed';
    } catch (error) {
      if (!(error instanceof RejectAll)) throw error;
      counts.created = 0;
      return 'rejected';
    }
  }

  // The import as one audit event: who, the file's checksum, what came of it.
  private recordImport(auth: AuthContext, job: ImportJobEntity, status: string, counts: ImportCounts) {
    return this.writes.recordNow(auth, {
      action: 'import',
      entity: 'import',
      entityId: job.id,
      details: {
        dataset: job.dataset,
        mode: job.mode,
        onError: job.onError,
        status,
        sha256: job.sha256,
        bytes: Number(job.bytes),
        ...counts,
      },
    });
  }
}

// The batches with their rows prepared, the next one's preparation (CPU work in this process) started
// before this one is handed out, so that it runs while the database applies this one.
async function* preparedBatches(
  importer: DatasetImporter,
  context: Pick<ImportContext, 'job' | 'today'>,
  dataset: ImportDataset,
  file: StoredFile,
): AsyncGenerator<{ rows: RawRow[]; prepared: Prepared<unknown> }> {
  let ahead: { rows: RawRow[]; prepared: Promise<Prepared<unknown>> } | undefined;
  for await (const rows of batches(dataset, file)) {
    const next = { rows, prepared: importer.prepare(context, rows) };
    // Awaited below, or dropped when the import stops first: never an unhandled rejection.
    next.prepared.catch(() => undefined);
    if (ahead) yield { rows: ahead.rows, prepared: await ahead.prepared };
    ahead = next;
  }
  if (ahead) yield { rows: ahead.rows, prepared: await ahead.prepared };
}

async function* batches(dataset: ImportDataset, file: StoredFile): AsyncGenerator<RawRow[]> {
  let batch: RawRow[] = [];
  for await (const row of readRows(dataset, file)) {
    batch.push(row);
    if (batch.length === IMPORT_BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
