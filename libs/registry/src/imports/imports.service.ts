import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AccessRepository, type ImportJobEntity, ImportRepository, UserRepository } from '@ilr/persistence';
import busboy from 'busboy';
import { isUUID } from 'class-validator';
import { stringify } from 'csv-stringify';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { type AuthContext, Permission, roleMay } from '../access/access.policy.js';
import { SYSTEM_ACTORS } from '../audit/audit.service.js';
import { ClinicalWrites } from '../writes/clinical-writes.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { LOGGER } from '../common/logger.js';
import { decodeCursor, encodeCursor, type Page } from '../common/pagination.js';
import { requestContext } from '../common/request-context.js';
import type {
  CreateImportQuery,
  ImportErrorResponse,
  ImportErrorsQuery,
  ImportJobResponse,
  ImportListQuery,
  ImportTemplateQuery,
} from './dto/import.dto.js';
import { templateColumnsCsv, templateHeader } from './import-columns.js';
import { checkFile, FileProblemError, type StoredFile, storeUpload } from './import-file.js';
import { ImportRunner } from './import-runner.js';

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

// The import API: a file is received as a stream into IMPORT_DIR, read once whole to refuse a
// malformed one (400, nothing written), then its rows are read again, in batches, by ImportRunner in
// this process while GET /imports/:id shows the progress. Every process fails, on its timer, the
// running imports whose process stopped (their lease ran out).
@Injectable()
export class ImportsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly running = new Map<string, Promise<void>>();
  private readonly stop = new AbortController();
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly repo: ImportRepository,
    private readonly users: UserRepository,
    private readonly access: AccessRepository,
    private readonly runner: ImportRunner,
    private readonly writes: ClinicalWrites,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), this.config.imports.leaseMs);
    this.sweeper.unref();
  }

  // Stops the imports this process runs at their next batch (each is then failed as interrupted).
  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.stop.abort();
    await Promise.allSettled(this.running.values());
  }

  // Imports whose process stopped without saying so: failed, and audited as the import worker.
  async sweep(): Promise<void> {
    try {
      const failed = await this.repo.interrupt();
      if (failed.length === 0) return;
      this.logger.warn({ imports: failed.map((f) => f.id) }, 'imports failed: their process stopped');
      await this.writes.recordNow(
        SYSTEM_ACTORS.importWorker,
        failed.map((f) => ({
          action: 'import' as const,
          entity: 'import' as const,
          entityId: f.id,
          details: { status: 'failed', reason: 'interrupted', requestedBy: f.requestedBy },
        })),
      );
    } catch (error) {
      this.logger.error({ err: error }, 'import sweep failed');
    }
  }

  async create(auth: AuthContext, query: CreateImportQuery, request: Request): Promise<ImportJobResponse> {
    if (query.surgeonId && !(await this.access.activeSurgeons([query.surgeonId])).has(query.surgeonId)) {
      throw DomainError.validation([
        { field: 'surgeonId', code: 'not_a_surgeon', message: 'surgeonId must name an active surgeon' },
      ]);
    }
    const { stream, fileName } = await this.fileOf(request);
    await mkdir(this.config.imports.dir, { recursive: true, mode: 0o700 });
    const path = join(this.config.imports.dir, `${randomBytes(12).toString('hex')}.csv`);
    let file: StoredFile;
    try {
      file = await storeUpload(stream, path, this.config.imports.maxBytes);
      await checkFile(query.dataset, file);
    } catch (error) {
      await rm(path, { force: true });
      if (error instanceof FileProblemError) throw malformed(error);
      throw error;
    }
    const job = await this.repo.create({
      requestedBy: auth.user.id,
      dataset: query.dataset,
      mode: query.mode ?? 'validate',
      onError: query.onError ?? 'reject_all',
      surgeonId: query.surgeonId ?? null,
      fileName,
      bytes: file.bytes,
      sha256: file.sha256,
      claimedBy: this.workerId,
      leaseMs: this.config.imports.leaseMs,
      correlationId: requestContext.correlationId() ?? null,
    });
    const run = this.runner
      .run(job, auth, file, this.workerId, this.stop.signal)
      .finally(() => this.running.delete(job.id));
    this.running.set(job.id, run);
    return this.toResponse(job, auth.user.displayName);
  }

  // The upload: the raw body (text/csv), or the part named `file` of a multipart form.
  private fileOf(request: Request): Promise<{ stream: Readable; fileName: string | null }> {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (CSV_TYPES.includes(type)) {
      const name = request.headers['x-file-name'];
      return Promise.resolve({ stream: request, fileName: typeof name === 'string' ? name.slice(0, 200) : null });
    }
    if (type !== 'multipart/form-data') {
      return Promise.reject(
        new DomainError(
          ErrorCode.UnsupportedMediaType,
          'Send the file as text/csv, or as the part named "file" of a multipart/form-data body.',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({ headers: request.headers, limits: { files: 1, fileSize: this.config.imports.maxBytes + 1 } });
      } catch {
        reject(
          DomainError.validation([
            { field: 'file', code: 'invalid_format', message: 'the multipart body is malformed' },
          ]),
        );
        return;
      }
      let found = false;
      parser.on('file', (name, stream, info) => {
        if (name !== 'file' || found) {
          stream.resume();
          return;
        }
        found = true;
        resolve({ stream, fileName: info.filename ? info.filename.slice(0, 200) : null });
      });
      parser.on('error', () =>
        reject(
          DomainError.validation([
            { field: 'file', code: 'invalid_format', message: 'the multipart body is malformed' },
          ]),
        ),
      );
      parser.on('close', () => {
        if (!found)
          reject(
            DomainError.validation([{ field: 'file', code: 'required', message: 'the form has no part named file' }]),
          );
      });
      request.pipe(parser);
    });
  }

  // A staff member's own imports; an administrator's, everyone's. Another's looks like a missing one.
  async get(auth: AuthContext, id: string): Promise<ImportJobResponse> {
    const job = await this.visibleJob(auth, id);
    const names = await this.users.displayNames([job.requestedBy]);
    return this.toResponse(job, names.get(job.requestedBy) ?? '');
  }

  private async visibleJob(auth: AuthContext, id: string): Promise<ImportJobEntity> {
    const job = await this.repo.find(id);
    if (!job || (job.requestedBy !== auth.user.id && !roleMay(auth.user.role, Permission.ImportReadAll)))
      throw DomainError.notFound('The import');
    return job;
  }

  async list(auth: AuthContext, query: ImportListQuery): Promise<Page<ImportJobResponse>> {
    const after = decodeCursor(query.cursor, {
      createdAt: (v: string) => !Number.isNaN(Date.parse(v)),
      id: (v: string) => isUUID(v),
    });
    const page = await this.repo.list(
      { requestedBy: roleMay(auth.user.role, Permission.ImportReadAll) ? undefined : auth.user.id },
      query.limit ?? 20,
      after,
    );
    const names = await this.users.displayNames([...new Set(page.items.map((j) => j.requestedBy))]);
    const last = page.items.at(-1);
    return {
      items: page.items.map((job) => this.toResponse(job, names.get(job.requestedBy) ?? '')),
      nextCursor: page.hasMore && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
    };
  }

  async errors(auth: AuthContext, id: string, query: ImportErrorsQuery): Promise<Page<ImportErrorResponse>> {
    await this.visibleJob(auth, id);
    const after = decodeCursor(query.cursor, { seq: (v: string) => /^\d{1,9}$/.test(v) });
    const limit = query.limit ?? 100;
    const rows = await this.repo.listErrors(id, limit + 1, after ? Number(after.seq) : 0);
    const items = rows.slice(0, limit);
    return {
      items: items.map(({ line, column, code, message }) => ({ line, column, code, message })),
      nextCursor: rows.length > limit ? encodeCursor({ seq: String(items.at(-1)!.seq) }) : null,
    };
  }

  // The whole report as CSV, read from the database page by page.
  async errorsCsv(auth: AuthContext, id: string, response: Response): Promise<void> {
    const job = await this.visibleJob(auth, id);
    response.status(200);
    response.type('text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="import-${job.id}-errors.csv"`);
    const csv = stringify({ header: true, columns: ['line', 'column', 'code', 'message'], record_delimiter: '\r\n' });
    csv.pipe(response);
    let after = 0;
    for (;;) {
      const rows = await this.repo.listErrors(id, 1000, after);
      for (const row of rows) {
        if (!csv.write([row.line, row.column ?? '', row.code, row.message]))
          await new Promise((resolve) => csv.once('drain', resolve));
      }
      if (rows.length < 1000) break;
      after = rows.at(-1)!.seq;
    }
    csv.end();
    await new Promise((resolve) => response.once('finish', resolve));
  }

  template(query: ImportTemplateQuery): { name: string; body: string } {
    return query.file === 'columns'
      ? { name: `${query.dataset}-import-columns.csv`, body: templateColumnsCsv(query.dataset) }
      : { name: `${query.dataset}-import-template.csv`, body: templateHeader(query.dataset) };
  }

  private toResponse(job: ImportJobEntity, displayName: string): ImportJobResponse {
    return {
      id: job.id,
      dataset: job.dataset,
      mode: job.mode,
      onError: job.onError,
      status: job.status,
      fileName: job.fileName,
      bytes: Number(job.bytes),
      sha256: job.sha256,
      surgeonId: job.surgeonId,
      rowsRead: job.rowsRead,
      accepted: job.accepted,
      rejected: job.rejected,
      created: job.created,
      unchanged: job.unchanged,
      conflicts: job.conflicts,
      errorCount: job.errorCount,
      error: job.error,
      createdBy: { id: job.requestedBy, displayName },
      createdAt: job.createdAt.toISOString(),
      finishedAt: job.finishedAt ? job.finishedAt.toISOString() : null,
    };
  }
}

function malformed(error: FileProblemError): DomainError {
  if (error.problem === 'too_large') return new DomainError(ErrorCode.PayloadTooLarge, error.message);
  return new DomainError(ErrorCode.MalformedFile, error.message, {
    extensions: { problem: error.problem, line: error.line, ...(error.columns ? { columns: error.columns } : {}) },
  });
}
