import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import {
  CaseRepository,
  type ExportDataset,
  type ExportJobEntity,
  ExportRepository,
  type ReportFilter,
} from '@ilr/persistence';
import { type AuthContext, Permission, roleMay } from '../access/access.policy.js';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { toCsv } from '../common/csv.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { LOGGER } from '../common/logger.js';
import { MrnCipher } from '../patients/mrn-cipher.js';
import type { CreateExportRequest, ExportJobResponse, ExportQuery } from './dto/export.dto.js';
import {
  columnsFor,
  csvSplit,
  DEIDENTIFICATION_RULES,
  EXPORT_COLUMNS,
  type ExportColumn,
  type ExportContext,
  sqlCsvText,
} from './export-columns.js';
import { CONTENT_TYPES, ExportEncoder, type ExportFormat } from './export-format.js';
import { caseBundle } from './fhir.js';
import { exportPseudonym } from './pseudonym.js';

const EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', ndjson: 'ndjson', fhir: 'fhir.ndjson' };
export const MAX_JOB_ATTEMPTS = 3;

interface ExportSpec {
  dataset: ExportDataset;
  format: ExportFormat;
  identified: boolean;
  filters: ReportFilter;
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
    private readonly cases: CaseRepository,
    private readonly cipher: MrnCipher,
    private readonly audit: AuditService,
  ) {}

  // One context per export. Pseudonyms repeat (a surgeon on every row, a patient on both hips), so
  // they are kept for the export's duration, up to a bound.
  private context(): ExportContext {
    const key = this.config.secrets.exportPseudonymKey;
    const known = new Map<string, string>();
    return {
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
    const context = this.context();
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
    extra: Record<string, unknown> = {},
  ) {
    const applied = [...new Set(columns.map((c) => c.deidentification))];
    return {
      dataset: spec.dataset,
      format: spec.format,
      identified: spec.identified,
      filters: spec.filters,
      generatedAt: new Date().toISOString(),
      rows,
      sha256,
      consent: "Only patients with consent 'given'.",
      columns: columns.map((c) => ({ name: c.name, type: c.type, deidentification: c.deidentification })),
      deidentification: spec.identified
        ? 'Identified export (admin): identifying columns included.'
        : Object.fromEntries(applied.map((rule) => [rule, DEIDENTIFICATION_RULES[rule]])),
      ...extra,
    };
  }

  private async recordExport(
    auth: AuthContext,
    spec: ExportSpec,
    details: Record<string, unknown>,
    entityId: string | null = null,
  ): Promise<void> {
    await this.cases.transaction((manager) =>
      this.audit.record(manager, auth, {
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
      }),
    );
  }

  // A synchronous export streamed straight to the client. The audit event and the manifest are
  // written when the stream ends, with the row count and the checksum of what was sent.
  async streamTo(
    auth: AuthContext,
    dataset: ExportDataset,
    query: ExportQuery,
    filters: ReportFilter,
    response: Response,
  ): Promise<void> {
    const spec: ExportSpec = { dataset, format: query.format ?? 'csv', identified: query.identified ?? false, filters };
    this.authorize(auth, dataset, spec.format, spec.identified);
    const { source, encoder, stages, columns } = await this.open(spec);
    const stamp = new Date().toISOString().slice(0, 10);
    response.status(200);
    response.setHeader('Content-Type', CONTENT_TYPES[spec.format]);
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="ilr-${dataset}-${spec.identified ? 'identified' : 'deidentified'}-${stamp}.${EXTENSIONS[spec.format]}"`,
    );
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
    const aborted = Boolean(failure);
    await this.recordExport(auth, spec, { rows: encoder.rows, sha256, aborted });
    if (!aborted)
      await this.writeManifest(
        `sync-${stamp}-${dataset}-${randomBytes(4).toString('hex')}`,
        this.manifest(spec, columns, encoder.rows, sha256),
      );
    // A client that hangs up ends the export (the cursor is closed); anything else is a fault.
    if (failure && response.destroyed && !response.writableFinished) {
      this.logger.info({ dataset, rows: encoder.rows }, 'export stopped: the client disconnected');
    } else if (failure) {
      this.logger.error({ err: failure, dataset }, 'export stream failed');
    }
  }

  private async writeManifest(name: string, manifest: Record<string, unknown>): Promise<string> {
    const dir = join(this.config.exports.dir, 'manifests');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${name}.manifest.json`);
    await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
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

  // The requester (or an admin) sees a job; anyone else gets a 404.
  async job(auth: AuthContext, id: string): Promise<ExportJobEntity> {
    const job = await this.exports.findJob(id);
    if (!job || (job.requestedBy !== auth.user.id && auth.user.role !== 'admin'))
      throw DomainError.notFound('The export');
    return job;
  }

  async sendFile(auth: AuthContext, id: string, response: Response): Promise<void> {
    const job = await this.job(auth, id);
    if (job.status !== 'done' || !job.fileName) {
      throw new DomainError(ErrorCode.Conflict, `The export is ${job.status}; its file is not ready.`, {
        extensions: { status: job.status },
      });
    }
    const path = join(this.config.exports.dir, job.fileName);
    const { size } = await stat(path);
    // Handing the file over is an export in its own right: recorded, with who took it, before it leaves.
    await this.cases.transaction((manager) =>
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

  // Runs one claimed job into EXPORT_DIR: written to a .partial file, renamed when complete, with
  // progress saved as it goes, then the manifest and the audit event (in the requester's name).
  async runJob(job: ExportJobEntity): Promise<void> {
    const spec: ExportSpec = {
      dataset: job.dataset as ExportDataset,
      format: job.format as ExportFormat,
      identified: job.identified,
      filters: job.filters as ReportFilter,
    };
    const fileName = `${job.id}.${EXTENSIONS[spec.format]}`;
    await mkdir(this.config.exports.dir, { recursive: true });
    const finalPath = join(this.config.exports.dir, fileName);
    const partial = `${finalPath}.partial`;
    const total = await this.exports.count(spec.dataset, spec.filters);
    await this.exports.progress(job.id, 0, total);
    const { source, encoder, stages, columns } = await this.open(spec);
    let lastSaved = 0;
    const progress = new Transform({
      transform: (chunk, _encoding, done) => {
        if (encoder.rows - lastSaved >= 1000) {
          lastSaved = encoder.rows;
          this.exports.progress(job.id, encoder.rows, total).then(() => done(null, chunk), done);
        } else {
          done(null, chunk);
        }
      },
    });
    let failure: Error | undefined;
    try {
      await pipeline([...stages, progress, createWriteStream(partial)] as unknown as [
        Readable,
        ...Transform[],
        Writable,
      ]);
      await rename(partial, finalPath);
    } catch (error) {
      failure = error as Error;
    } finally {
      source.release(failure);
    }
    if (failure) throw failure;
    const sha256 = encoder.sha256();
    await this.writeManifest(
      job.id,
      this.manifest(spec, columns, encoder.rows, sha256, { jobId: job.id, file: fileName }),
    );
    await this.exports.finish(job.id, { status: 'done', rows: encoder.rows, sha256, fileName });
    const requester = {
      user: { id: job.requestedBy, email: '', displayName: '', role: 'admin' as const },
      via: 'access_token' as const,
    };
    await this.recordExport(requester, spec, { rows: encoder.rows, sha256, jobId: job.id, file: fileName }, job.id);
  }

  dictionary(): Record<string, unknown> {
    return {
      deidentification: DEIDENTIFICATION_RULES,
      consent: "Only patients with consent 'given' appear in exports.",
      datasets: Object.fromEntries(
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
          })),
        ]),
      ),
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
      })),
    );
    return toCsv(
      ['dataset', 'name', 'type', 'unit', 'description', 'deidentification', 'inDeidentifiedExports', 'codes'],
      rows,
    );
  }

  toJobResponse(job: ExportJobEntity): ExportJobResponse {
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
    };
  }
}
