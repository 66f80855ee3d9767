import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Response } from 'express';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import {
  type ExportDataset,
  type ExportJobEntity,
  ExportRepository,
  type JobLease,
  type ListedExportJob,
  type ReportFilter,
  UserRepository,
} from '@ilr/persistence';
import { type AuthContext, Permission, roleMay } from '../access/access.policy.js';
import { type AuditActor, AuditService, SYSTEM_ACTORS } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { toCsv } from '../common/csv.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { LOGGER } from '../common/logger.js';
import { RegistryClock } from '../common/clock.js';
import { MrnCipher } from '../patients/mrn-cipher.js';
import type {
  DataDictionaryResponse,
  DatasetReaders,
  DictionaryColumn,
  ExportManifest,
} from './dto/export-dictionary.dto.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, type Page } from '../common/pagination.js';
import type { CreateExportRequest, ExportJobListQuery, ExportJobResponse, ExportQuery } from './dto/export.dto.js';
import {
  columnsFor,
  csvSplit,
  DEIDENTIFICATION_RULES,
  emptyCellMeaning,
  EXPORT_COLUMNS,
  FORMAT_CONVENTIONS,
  type ExportColumn,
  type ExportContext,
  sqlCsvText,
} from './export-columns.js';
import { CONTENT_TYPES, ExportEncoder, type ExportFormat } from './export-format.js';
import { csvReaders, exclusionSummary, PANDAS, R_CLASS, READR, registryRules } from './export-rules.js';
import { caseBundle, EXT_DAY as FHIR_DAY_EXTENSION } from './fhir.js';
import { TERMINOLOGY_BUNDLE_ID, terminologyBundle } from './fhir-terminology.js';
import { exportPseudonym } from './pseudonym.js';

const EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', ndjson: 'ndjson', fhir: 'fhir.ndjson' };
export const MAX_JOB_ATTEMPTS = 3;

type ExclusionSummary = ReturnType<typeof exclusionSummary>;

// What a synchronous export's second audit event says of it (the first says `started`).
export type StreamedExportStatus = 'completed' | 'aborted' | 'failed';
// How a job attempt ended when it did not throw.
export type JobOutcome = 'done' | 'refused';

// Thrown when a job attempt no longer holds its lease: it stops and writes no result.
export class LeaseLostError extends Error {
  constructor(readonly lease: JobLease) {
    super(`export job ${lease.jobId} attempt ${lease.attempt} lost its lease`);
    this.name = 'LeaseLostError';
  }
}

// Errors by which a stream tells that the client went away (not a fault of ours).
const DISCONNECT_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED']);

interface ExportSpec {
  dataset: ExportDataset;
  format: ExportFormat;
  identified: boolean;
  filters: ReportFilter;
  // The registry's today when the export runs: the reference of the windowClosed_* columns.
  exportDate: string;
}

// Groups streamed case rows into batches, fetches their visits, PROMs and complications in three
// queries per batch, and passes each row on with its details (for FHIR bundles).
class DetailBatcher extends Transform {
  private batch: Array<Record<string, any>> = [];
  constructor(
    private readonly fetch: (ids: string[]) => Promise<{ visits: any[]; proms: any[]; complications: any[] }>,
    private readonly size = 100,
  ) {
    super({ objectMode: true, highWaterMark: size });
  }
  private async drain(): Promise<void> {
    const rows = this.batch;
    this.batch = [];
    if (rows.length === 0) return;
    const details = await this.fetch(rows.map((r) => r.id));
    for (const row of rows) {
      this.push({
        row,
        details: {
          visits: details.visits.filter((v) => v.case_id === row.id),
          proms: details.proms.filter((p) => p.case_id === row.id),
          complications: details.complications.filter((c) => c.case_id === row.id),
        },
      });
    }
  }
  override _transform(row: Record<string, any>, _encoding: BufferEncoding, done: TransformCallback): void {
    this.batch.push(row);
    if (this.batch.length < this.size) return done();
    this.drain().then(() => done(), done);
  }
  override _flush(done: TransformCallback): void {
    this.drain().then(() => done(), done);
  }
}

@Injectable()
export class ExportsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly exports: ExportRepository,
    private readonly users: UserRepository,
    private readonly cipher: MrnCipher,
    private readonly audit: AuditService,
    private readonly clock: RegistryClock,
  ) {}

  // One context per export. Pseudonyms repeat (a surgeon on every row, a patient on both hips), so
  // they are kept for the export's duration, up to a bound.
  private context(exportDate: string): ExportContext {
    const key = this.config.secrets.exportPseudonymKey;
    const known = new Map<string, string>();
    return {
      exportDate,
      pseudonym: (id) => {
        let value = known.get(id);
        if (value === undefined) {
          value = exportPseudonym(key, id);
          if (known.size < 20_000) known.set(id, value);
        }
        return value;
      },
      decryptMrn: (ciphertext) => this.cipher.decrypt(ciphertext),
    };
  }

  // Registry staff and admins export; identified exports are for admins only.
  private authorize(auth: AuthContext, dataset: ExportDataset, format: ExportFormat, identified: boolean): void {
    if (!roleMay(auth.user.role, Permission.ExportDeidentified)) throw DomainError.forbidden();
    if (identified && !roleMay(auth.user.role, Permission.ExportIdentified))
      throw DomainError.forbidden('Only an administrator may export identified data.');
    if (format === 'fhir' && dataset !== 'cases') {
      throw DomainError.validation([
        { field: 'format', code: 'not_for_dataset', message: 'format fhir is available for the cases dataset only' },
      ]);
    }
  }

  // The stages from database cursor to text: rows → (FHIR: batches with details) → encoder.
  private async open(spec: ExportSpec) {
    const columns = columnsFor(spec.dataset, spec.identified);
    const context = this.context(spec.exportDate);
    // Cases as CSV: PostgreSQL renders the columns it can, Node the pseudonyms, year, age and identifiers.
    const split = spec.format === 'csv' && spec.dataset === 'cases' ? csvSplit(columns) : null;
    const tail = split ? split.tail.map(sqlCsvText).join(` || ',' || `) : undefined;
    const source = await this.exports.stream(spec.dataset, spec.filters, spec.identified, tail);
    const encoder =
      spec.format === 'fhir'
        ? new ExportEncoder(
            'fhir',
            columns,
            context,
            (item) => `${JSON.stringify(caseBundle(item.row, item.details, context, spec.identified))}\n`,
            undefined,
            `${JSON.stringify(terminologyBundle())}\n`,
          )
        : new ExportEncoder(spec.format, columns, context, undefined, split?.head);
    const stages: Array<Readable | Transform> = [source.rows];
    if (spec.format === 'fhir') stages.push(new DetailBatcher((ids) => this.exports.detailsFor(ids)));
    stages.push(encoder);
    return { source, encoder, stages, columns };
  }

  private manifest(
    spec: ExportSpec,
    columns: ExportColumn[],
    rows: number,
    sha256: string,
    exclusions: ExclusionSummary,
    fileName: string,
    extra: Pick<ExportManifest, 'exportId' | 'jobId' | 'file'> = {},
  ): ExportManifest {
    const applied = [...new Set(columns.map((c) => c.deidentification))];
    return {
      dataset: spec.dataset,
      format: spec.format,
      identified: spec.identified,
      filters: { ...spec.filters },
      generatedAt: new Date().toISOString(),
      exportDate: spec.exportDate,
      rows,
      sha256,
      consent: "Only patients with consent 'given'.",
      exclusions,
      columns: columns.map((c) => ({ name: c.name, type: c.type, deidentification: c.deidentification })),
      deidentification: spec.identified
        ? 'Identified export (admin): identifying columns included.'
        : Object.fromEntries(applied.map((rule) => [rule, DEIDENTIFICATION_RULES[rule]])),
      ...(spec.format === 'fhir'
        ? {
            fhir:
              `The first line is the Bundle '${TERMINOLOGY_BUNDLE_ID}' (the registry's CodeSystems and PROM ` +
              'Questionnaires, so that every local code resolves); then one Bundle per case. `rows` counts the cases. ' +
              'De-identified bundles carry the surgery year and, for every other date, the days after surgery ' +
              `(extension ${FHIR_DAY_EXTENSION} on the date element).`,
          }
        : {}),
      conventions: spec.format === 'fhir' ? null : FORMAT_CONVENTIONS[spec.format],
      readers: spec.format === 'csv' ? csvReaders(spec.dataset, columns, fileName) : null,
      dictionary: '/api/v1/exports/dictionary',
      ...extra,
    };
  }

  private async exclusions(spec: ExportSpec): Promise<ExclusionSummary> {
    return exclusionSummary(await this.exports.exclusions(spec.filters));
  }

  // One audit event of an export, committed in its own transaction.
  private async recordExport(
    actor: AuditActor,
    spec: ExportSpec,
    entityId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.exports.transaction((manager) => this.recordExportIn(manager, actor, spec, entityId, details));
  }

  private recordExportIn(
    manager: EntityManager,
    actor: AuditActor,
    spec: ExportSpec,
    entityId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(manager, actor, {
      action: 'export',
      entity: 'export',
      entityId,
      details: {
        dataset: spec.dataset,
        format: spec.format,
        identified: spec.identified,
        filters: spec.filters,
        ...details,
      },
    });
  }

  // A synchronous export streamed straight to the client, recorded by two audit events with the
  // same entity id: `started`, committed before the first byte leaves (so an export cut off by a
  // crash or a hang-up is still on record), then `completed` with the row count and the SHA-256 of
  // the bytes sent, or `aborted` (the client hung up) / `failed` with the rows sent so far.
  async streamTo(
    auth: AuthContext,
    dataset: ExportDataset,
    query: ExportQuery,
    filters: ReportFilter,
    response: Response,
  ): Promise<void> {
    const spec: ExportSpec = {
      dataset,
      format: query.format ?? 'csv',
      identified: query.identified ?? false,
      filters,
      exportDate: this.clock.today(),
    };
    this.authorize(auth, dataset, spec.format, spec.identified);
    const exportId = randomUUID();
    await this.recordExport(auth, spec, exportId, { status: 'started' });
    let opened: Awaited<ReturnType<ExportsService['open']>>;
    let exclusions: ExclusionSummary;
    try {
      exclusions = await this.exclusions(spec);
      opened = await this.open(spec);
    } catch (error) {
      await this.recordExport(auth, spec, exportId, { status: 'failed', rows: 0 });
      throw error;
    }
    const { source, encoder, stages, columns } = opened;
    const stamp = spec.exportDate;
    const fileName = `ilr-${dataset}-${spec.identified ? 'identified' : 'deidentified'}-${stamp}.${EXTENSIONS[spec.format]}`;
    response.status(200);
    response.setHeader('Content-Type', CONTENT_TYPES[spec.format]);
    response.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    // The date the windowClosed_* columns refer to (also in the manifest).
    response.setHeader('Export-Date', spec.exportDate);
    response.setHeader('Cache-Control', 'no-store');
    let failure: Error | undefined;
    try {
      await pipeline([...stages, response as unknown as Writable] as unknown as [Readable, ...Transform[], Writable]);
    } catch (error) {
      failure = error as Error;
    } finally {
      source.release(failure);
    }
    const sha256 = encoder.sha256();
    // A client that hangs up ends the export (the cursor is closed); anything else is a fault.
    const status: StreamedExportStatus = !failure
      ? 'completed'
      : DISCONNECT_CODES.has((failure as NodeJS.ErrnoException).code ?? '')
        ? 'aborted'
        : 'failed';
    await this.recordExport(auth, spec, exportId, { status, rows: encoder.rows, sha256 });
    if (status === 'completed')
      await this.writeManifest(
        `sync-${stamp}-${dataset}-${exportId}`,
        this.manifest(spec, columns, encoder.rows, sha256, exclusions, fileName, { exportId }),
      );
    if (status === 'aborted') {
      this.logger.info({ dataset, rows: encoder.rows, exportId }, 'export stopped: the client disconnected');
    } else if (failure) {
      this.logger.error({ err: failure, dataset, exportId }, 'export stream failed');
    }
  }

  private async writeManifest(name: string, manifest: ExportManifest): Promise<string> {
    const dir = join(this.config.exports.dir, 'manifests');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${name}.manifest.json`);
    // Written aside and renamed, so that a reader never sees half a manifest.
    const aside = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(aside, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(aside, path);
    return path;
  }

  // --- asynchronous jobs --------------------------------------------------------------------
  async createJob(
    auth: AuthContext,
    request: CreateExportRequest,
    correlationId: string | null,
  ): Promise<ExportJobEntity> {
    const spec = { dataset: request.dataset, format: request.format, identified: request.identified ?? false };
    this.authorize(auth, spec.dataset, spec.format, spec.identified);
    return this.exports.createJob({
      requestedBy: auth.user.id,
      ...spec,
      filters: { ...(request.filters ?? {}) },
      correlationId,
    });
  }

  // The requester (or an admin) sees a job; anyone else gets a 404. Rights are the caller's as they
  // are now (the user row is read on every request): an identified job is for administrators only,
  // also for its creator once they are no longer one.
  async job(auth: AuthContext, id: string): Promise<ExportJobEntity> {
    const job = await this.exports.findJob(id);
    if (!job || (job.requestedBy !== auth.user.id && auth.user.role !== 'admin'))
      throw DomainError.notFound('The export');
    if (job.identified && !roleMay(auth.user.role, Permission.ExportIdentified))
      throw DomainError.forbidden('Only an administrator may see or download an identified export.');
    return job;
  }

  // A job with who asked for it; a creator gone from the users table is never the case (foreign key).
  async jobWithCreator(auth: AuthContext, id: string): Promise<ListedExportJob> {
    const job = await this.job(auth, id);
    const creator = await this.users.findById(job.requestedBy);
    return { job, createdBy: { id: job.requestedBy, displayName: creator?.displayName ?? '' } };
  }

  // The jobs the caller may read, by the rules of job(): registry staff their own, admins everyone's;
  // identified jobs only for administrators. Newest first.
  async listJobs(auth: AuthContext, query: ExportJobListQuery): Promise<Page<ExportJobResponse>> {
    const after = decodeCursor(query.cursor, { id: (id: string) => isUUID(id) });
    const page = await this.exports.listJobs(
      {
        requestedBy: auth.user.role === 'admin' ? undefined : auth.user.id,
        includeIdentified: roleMay(auth.user.role, Permission.ExportIdentified),
      },
      query.limit ?? DEFAULT_PAGE_SIZE,
      after?.id,
    );
    const last = page.items.at(-1);
    return {
      items: page.items.map((listed) => this.toJobResponse(listed)),
      nextCursor: page.hasMore && last ? encodeCursor({ id: last.job.id }) : null,
    };
  }

  // The manifest the worker wrote beside a finished job's file (filters, counts, columns, rules, sha256).
  async jobManifest(auth: AuthContext, id: string): Promise<ExportManifest> {
    const job = await this.job(auth, id);
    if (job.status !== 'done') {
      throw new DomainError(ErrorCode.Conflict, `The export is ${job.status}; it has no manifest.`, {
        extensions: { jobStatus: job.status },
      });
    }
    const text = await readFile(join(this.config.exports.dir, 'manifests', `${job.id}.manifest.json`), 'utf8');
    return JSON.parse(text) as ExportManifest;
  }

  async sendFile(auth: AuthContext, id: string, response: Response): Promise<void> {
    const job = await this.job(auth, id);
    if (job.status !== 'done' || !job.fileName) {
      throw new DomainError(
        ErrorCode.Conflict,
        job.status === 'failed'
          ? 'The export failed; it has no file.'
          : `The export is ${job.status}; its file is not ready.`,
        { extensions: { jobStatus: job.status } },
      );
    }
    const path = join(this.config.exports.dir, job.fileName);
    const size = await stat(path).then(
      (found) => found.size,
      (error: NodeJS.ErrnoException) => {
        // Any process may have run the job: every process must see the same EXPORT_DIR.
        if (error.code === 'ENOENT')
          this.logger.error({ jobId: job.id }, 'export file missing: is EXPORT_DIR shared by every process?');
        throw error;
      },
    );
    // Handing the file over is an export in its own right: recorded, with who took it, before it leaves.
    await this.exports.transaction((manager) =>
      this.audit.record(manager, auth, {
        action: 'export',
        entity: 'export',
        entityId: job.id,
        details: {
          download: true,
          dataset: job.dataset,
          format: job.format,
          identified: job.identified,
          filters: job.filters,
          rows: job.rows,
          sha256: job.sha256,
        },
      }),
    );
    response.status(200);
    response.setHeader('Content-Type', CONTENT_TYPES[job.format as ExportFormat]);
    response.setHeader('Content-Length', String(size));
    response.setHeader('Content-Disposition', `attachment; filename="${job.fileName}"`);
    response.setHeader('Digest', `sha-256=${Buffer.from(job.sha256!, 'hex').toString('base64')}`);
    response.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(createReadStream(path), response);
    } catch (error) {
      // A client that hangs up mid-download is not a fault of ours.
      if (response.destroyed && !response.writableFinished) {
        this.logger.info({ jobId: job.id }, 'export download stopped: the client disconnected');
        return;
      }
      throw error;
    }
  }

  // Why the job's creator may not have this export now (deactivated, or a role that may not
  // export, or identified data without being an admin); null when they may.
  private async creatorRefusal(job: ExportJobEntity, manager?: EntityManager): Promise<string | null> {
    const creator = await this.users.findById(job.requestedBy, manager);
    if (!creator || !creator.active) return 'Refused: the account that requested this export is no longer active.';
    if (!roleMay(creator.role, Permission.ExportDeidentified))
      return 'Refused: the account that requested this export may no longer export data.';
    if (job.identified && !roleMay(creator.role, Permission.ExportIdentified))
      return 'Refused: the account that requested this identified export is no longer an administrator.';
    return null;
  }

  // Runs one attempt of a claimed job into EXPORT_DIR, as the worker (a named system actor), with
  // the creator's rights checked as they are now, before and again at the end.
  // The file is written under a per-attempt name (<job>.<attempt>.partial), so two attempts never
  // share a file; progress is saved only while the attempt holds the job. At the end, one
  // transaction locks the job row if this attempt still holds it, renames the file into place,
  // writes the manifest, marks the job done and records the audit event; an attempt that lost its
  // lease (signal aborted, or the row held by another attempt) stops, removes its file and writes
  // nothing.
  async runJob(job: ExportJobEntity, lease: JobLease, signal: AbortSignal): Promise<JobOutcome> {
    const spec: ExportSpec = {
      dataset: job.dataset as ExportDataset,
      format: job.format as ExportFormat,
      identified: job.identified,
      filters: job.filters as ReportFilter,
      exportDate: this.clock.today(),
    };
    const refusal = await this.creatorRefusal(job);
    if (refusal) {
      if (!(await this.refuseJob(job, lease, spec, refusal))) throw new LeaseLostError(lease);
      return 'refused';
    }
    const fileName = `${job.id}.${EXTENSIONS[spec.format]}`;
    await mkdir(this.config.exports.dir, { recursive: true });
    const finalPath = join(this.config.exports.dir, fileName);
    const partial = join(this.config.exports.dir, `${job.id}.${lease.attempt}.partial`);
    const total = await this.exports.count(spec.dataset, spec.filters);
    const exclusions = await this.exclusions(spec);
    if (!(await this.exports.progress(lease, 0, total))) throw new LeaseLostError(lease);
    const { source, encoder, stages, columns } = await this.open(spec);
    let lastSaved = 0;
    const progress = new Transform({
      transform: (chunk, _encoding, done) => {
        if (encoder.rows - lastSaved >= 1000) {
          lastSaved = encoder.rows;
          this.exports
            .progress(lease, encoder.rows, total)
            .then((held) => (held ? done(null, chunk) : done(new LeaseLostError(lease))), done);
        } else {
          done(null, chunk);
        }
      },
    });
    let failure: Error | undefined;
    try {
      await pipeline(
        [...stages, progress, createWriteStream(partial)] as unknown as [Readable, ...Transform[], Writable],
        { signal },
      );
    } catch (error) {
      failure = error as Error;
    } finally {
      source.release(failure);
    }
    try {
      if (signal.aborted || failure instanceof LeaseLostError) throw new LeaseLostError(lease);
      if (failure) throw failure;
      const sha256 = encoder.sha256();
      return await this.exports.transaction(async (manager): Promise<JobOutcome> => {
        if (!(await this.exports.lockHeld(manager, lease))) throw new LeaseLostError(lease);
        const lateRefusal = await this.creatorRefusal(job, manager);
        if (lateRefusal) {
          await this.refuseJob(job, lease, spec, lateRefusal, manager);
          return 'refused';
        }
        await rename(partial, finalPath);
        await this.writeManifest(
          job.id,
          this.manifest(spec, columns, encoder.rows, sha256, exclusions, fileName, { jobId: job.id, file: fileName }),
        );
        await this.exports.finish(lease, { status: 'done', rows: encoder.rows, sha256, fileName }, manager);
        await this.recordExportIn(manager, SYSTEM_ACTORS.exportWorker, spec, job.id, {
          status: 'completed',
          requestedBy: job.requestedBy,
          jobId: job.id,
          attempt: lease.attempt,
          rows: encoder.rows,
          sha256,
          file: fileName,
        });
        return 'done';
      });
    } finally {
      // Gone already when the rename happened; otherwise this attempt's file is of no use.
      await rm(partial, { force: true });
    }
  }

  // Ends a job its creator may no longer have: failed with the reason, no file, and an audit event.
  private async refuseJob(
    job: ExportJobEntity,
    lease: JobLease,
    spec: ExportSpec,
    reason: string,
    manager?: EntityManager,
  ): Promise<boolean> {
    const work = async (tx: EntityManager) => {
      if (!(await this.exports.finish(lease, { status: 'failed', error: reason }, tx))) return false;
      await this.recordExportIn(tx, SYSTEM_ACTORS.exportWorker, spec, job.id, {
        status: 'refused',
        requestedBy: job.requestedBy,
        jobId: job.id,
        attempt: lease.attempt,
        reason,
      });
      return true;
    };
    return manager ? work(manager) : this.exports.transaction(work);
  }

  // The dictionary's counts are the registry's now, with no filters: an export's own are in its manifest.
  async dictionary(): Promise<DataDictionaryResponse> {
    const exportDate = this.clock.today();
    const exclusions = exclusionSummary(await this.exports.exclusions({}));
    return {
      exportDate,
      exportDateRule:
        "The registry's today (REGISTRY_TIME_ZONE). Each export states its own in its manifest (exportDate) and in the Export-Date header; the windowClosed_* columns refer to it.",
      formats: FORMAT_CONVENTIONS,
      deidentification: DEIDENTIFICATION_RULES,
      consent: "Only patients with consent 'given' appear in exports.",
      exclusions,
      rules: registryRules(),
      readers: Object.fromEntries<DatasetReaders>(
        (Object.keys(EXPORT_COLUMNS) as ExportDataset[]).map((dataset) => [
          dataset,
          {
            deidentified: csvReaders(dataset, columnsFor(dataset, false), `ilr-${dataset}-deidentified.csv`),
            identified: csvReaders(dataset, columnsFor(dataset, true), `ilr-${dataset}-identified.csv`),
          },
        ]),
      ) as Record<ExportDataset, DatasetReaders>,
      datasets: Object.fromEntries<DictionaryColumn[]>(
        Object.entries(EXPORT_COLUMNS).map(([dataset, columns]) => [
          dataset,
          columns.map((c) => ({
            name: c.name,
            type: c.type,
            unit: c.unit ?? null,
            description: c.description,
            deidentification: c.deidentification,
            inDeidentifiedExports: c.deidentification !== 'identified_only',
            codes: c.codes ? c.codes.codes.map((code) => ({ code, label: c.codes!.labels[code] })) : null,
            emptyCell: emptyCellMeaning(c),
            none: c.type === 'codes' ? (c.none ?? null) : null,
            rClass: R_CLASS[c.type],
            readrType: READR[c.type],
            pandasDtype: PANDAS[c.type],
          })),
        ]),
      ) as Record<ExportDataset, DictionaryColumn[]>,
    };
  }

  dictionaryCsv(): string {
    const rows = Object.entries(EXPORT_COLUMNS).flatMap(([dataset, columns]) =>
      columns.map((c) => ({
        dataset,
        name: c.name,
        type: c.type,
        unit: c.unit ?? '',
        description: c.description,
        deidentification: c.deidentification,
        inDeidentifiedExports: c.deidentification !== 'identified_only',
        codes: c.codes ? c.codes.codes.map((code) => `${code}=${c.codes!.labels[code]}`).join('; ') : '',
        emptyCell: emptyCellMeaning(c),
        none: c.type === 'codes' ? (c.none ?? '') : '',
        rClass: R_CLASS[c.type],
        readrType: READR[c.type],
        pandasDtype: PANDAS[c.type],
      })),
    );
    return toCsv(
      [
        'dataset',
        'name',
        'type',
        'unit',
        'description',
        'deidentification',
        'inDeidentifiedExports',
        'codes',
        'emptyCell',
        'none',
        'rClass',
        'readrType',
        'pandasDtype',
      ],
      rows,
    );
  }

  toJobResponse({ job, createdBy }: ListedExportJob): ExportJobResponse {
    return {
      id: job.id,
      status: job.status,
      dataset: job.dataset,
      format: job.format,
      identified: job.identified,
      filters: job.filters,
      rows: job.rows,
      progress:
        job.status === 'done'
          ? 1
          : job.rowsTotal
            ? Math.min(1, (job.rows ?? 0) / job.rowsTotal)
            : job.rowsTotal === 0
              ? 1
              : null,
      sha256: job.sha256,
      error: job.error,
      createdAt: job.createdAt.toISOString(),
      finishedAt: job.finishedAt?.toISOString() ?? null,
      createdBy,
    };
  }
}
