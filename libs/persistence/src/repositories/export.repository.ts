import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportJobEntity, type ExportJobStatus } from '../entities/export-job.entity.js';
import { caseFilterSql, type ReportFilter } from './report.repository.js';

export { SCORED_INSTRUMENTS as EXPORT_INSTRUMENTS } from '@ilr/clinical';
import { SCORED_INSTRUMENTS as EXPORT_INSTRUMENTS } from '@ilr/clinical';
export type ExportDataset = 'cases' | 'follow-ups' | 'complications';

// The cases dataset: one row per case of a consenting patient, wide: the case, its patient, and its
// facts (per timepoint the visit used with snapping, groin pain and each PROM score; per
// complication type a flag; the first event days; the last contact) kept in case_facts.
// The case columns the export reads: clinical fields only (no timestamps or bookkeeping), so the
// driver parses no more than is written out.
const CASE_EXPORT_COLUMNS = [
  'id',
  'registry_code',
  'patient_id',
  'surgeon_id',
  'status',
  'surgery_date',
  'side',
  'indications',
  'prior_ipsilateral_surgery',
  'injection_performed',
  'injection_response',
  'symptom_duration_months',
  'conservative_treatment',
  'exam_snapping_reproduced',
  'activity_level',
  'height_cm',
  'weight_kg',
  'imaging_alpha_angle',
  'imaging_lcea',
  'imaging_tonnis_grade',
  'imaging_dynamic_us_snapping',
  'imaging_bifid_tendon_on_mri',
  'anesthesia',
  'positioning',
  'traction_minutes',
  'operative_minutes',
  'portals',
  'portals_other',
  'capsulotomy',
  'capsular_closure',
  'findings_labral_tear',
  'findings_anterior_labral_lesion_at_psoas',
  'findings_cam',
  'findings_pincer',
  'findings_acetabular_icrs',
  'findings_femoral_icrs',
  'release_location',
  'release_capsular_level',
  'release_technique',
  'release_tendon_bundles',
  'release_all_bundles_released',
  'impingement_performed',
  'impingement_procedures',
  'ho_prophylaxis',
  'intraoperative_events',
  'notes',
]
  .map((c) => `c.${c}`)
  .join(', ');

function casesSql(where: string, identified: boolean): string {
  return `
    SELECT ${CASE_EXPORT_COLUMNS}, p.birth_date, p.sex, p.deceased_date${identified ? ', p.mrn_ciphertext' : ''}, f.*
    FROM cases c
    JOIN patients p ON p.id = c.patient_id AND p.consent = 'given'
    JOIN case_facts f ON f.case_id = c.id
    WHERE ${where}
    ORDER BY c.surgery_date, c.registry_code`;
}

// The CSV fast path for cases: only what Node computes (ids for pseudonyms, dates for year and
// age, and in identified exports the identifying fields), plus `csv_tail`, the rest of the line
// already rendered by PostgreSQL (codes, numbers and flags only: no free text).
function casesCsvSql(where: string, identified: boolean, tail: string): string {
  const identifying = identified ? ', c.registry_code, c.portals_other, c.notes, p.mrn_ciphertext' : '';
  return `
    SELECT c.id, c.patient_id, c.surgeon_id, c.surgery_date, p.birth_date${identifying}, ${tail} AS csv_tail
    FROM cases c
    JOIN patients p ON p.id = c.patient_id AND p.consent = 'given'
    JOIN case_facts f ON f.case_id = c.id
    WHERE ${where}
    ORDER BY c.surgery_date, c.registry_code`;
}

const ident = (name: string) => `"${name}"`;

function followUpsSql(where: string): string {
  const scores = EXPORT_INSTRUMENTS.map(
    (i) => `max(r.score) FILTER (WHERE r.instrument = '${i}') AS ${ident(`${i}_score`)}`,
  );
  return `
    SELECT c.id AS case_id, c.registry_code, c.surgery_date, c.patient_id, f.id AS follow_up_id, f.visit_date, f.day, f.timepoint,
           f.contact_mode, f.snapping, f.groin_pain, f.hip_flexion_strength, f.returned_to_sport, f.satisfaction,
           ${scores.join(', ')},
           (array_agg(r.items) FILTER (WHERE r.instrument = 'eq5d5l'))[1] AS eq5d5l
    FROM cases c
    JOIN patients p ON p.id = c.patient_id AND p.consent = 'given'
    JOIN follow_ups f ON f.case_id = c.id AND f.deleted_at IS NULL
    LEFT JOIN prom_responses r ON r.follow_up_id = f.id
    WHERE ${where}
    GROUP BY c.id, f.id
    ORDER BY c.surgery_date, c.registry_code, f.visit_date, f.id`;
}

function complicationsSql(where: string): string {
  return `
    SELECT c.id AS case_id, c.registry_code, c.surgery_date, c.patient_id, k.*
    FROM cases c
    JOIN patients p ON p.id = c.patient_id AND p.consent = 'given'
    JOIN complications k ON k.case_id = c.id AND k.deleted_at IS NULL
    WHERE ${where}
    ORDER BY c.surgery_date, c.registry_code, k.onset_date, k.id`;
}

// TypeORM answers an UPDATE … RETURNING with [rows, count]; a SELECT with rows.
function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

export interface ExportStream {
  rows: Readable;
  // Returns the connection to the pool; call once the stream has ended or failed.
  release(error?: Error): void;
}

@Injectable()
export class ExportRepository {
  constructor(private readonly dataSource: DataSource) {}

  // `csvTail`: for the cases CSV, a SQL expression rendering the line's last columns (see casesCsvSql).
  sql(
    dataset: ExportDataset,
    filter: ReportFilter,
    identified = false,
    csvTail?: string,
  ): { text: string; params: unknown[] } {
    const where = caseFilterSql(filter, 1);
    const text =
      dataset === 'cases'
        ? csvTail
          ? casesCsvSql(where.sql, identified, csvTail)
          : casesSql(where.sql, identified)
        : dataset === 'follow-ups'
          ? followUpsSql(where.sql)
          : complicationsSql(where.sql);
    return { text, params: where.params };
  }

  private pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  // Rows stream from a server-side cursor, a batch at a time, with back-pressure: the cursor is
  // read only as fast as the consumer writes. Destroying the stream closes the cursor.
  // Wide object rows come 250 at a time (what is in flight stays small); pre-rendered CSV rows are
  // small, so 1,000 at a time.
  async stream(
    dataset: ExportDataset,
    filter: ReportFilter,
    identified = false,
    csvTail?: string,
    batchSize = csvTail ? 1000 : 250,
  ): Promise<ExportStream> {
    const client: PoolClient = await this.pool().connect();
    const { text, params } = this.sql(dataset, filter, identified, csvTail);
    const rows = client.query(new QueryStream(text, params, { batchSize, highWaterMark: batchSize }));
    let released = false;
    return {
      rows,
      release: (error?: Error) => {
        if (released) return;
        released = true;
        // A connection whose cursor was cut mid-way is closed rather than reused.
        client.release(
          error ?? (rows.destroyed && !rows.readableEnded ? new Error('export stream aborted') : undefined),
        );
      },
    };
  }

  async count(dataset: ExportDataset, filter: ReportFilter): Promise<number> {
    const where = caseFilterSql(filter, 1);
    const join =
      dataset === 'cases'
        ? ''
        : dataset === 'follow-ups'
          ? 'JOIN follow_ups f ON f.case_id = c.id AND f.deleted_at IS NULL'
          : 'JOIN complications k ON k.case_id = c.id AND k.deleted_at IS NULL';
    const [{ n }] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM cases c JOIN patients p ON p.id = c.patient_id AND p.consent = 'given' ${join} WHERE ${where.sql}`,
      where.params,
    );
    return n;
  }

  // For FHIR bundles: the visits (with PROM items) and complications of a batch of cases.
  async detailsFor(caseIds: string[]) {
    const [visits, proms, complications] = await Promise.all([
      this.dataSource.query(
        `SELECT * FROM follow_ups WHERE case_id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY visit_date, id`,
        [caseIds],
      ),
      this.dataSource.query(
        `SELECT r.*, f.case_id FROM prom_responses r JOIN follow_ups f ON f.id = r.follow_up_id
         WHERE f.case_id = ANY($1::uuid[]) AND f.deleted_at IS NULL ORDER BY r.instrument`,
        [caseIds],
      ),
      this.dataSource.query(
        `SELECT * FROM complications WHERE case_id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY onset_date, id`,
        [caseIds],
      ),
    ]);
    return { visits, proms, complications } as {
      visits: Record<string, any>[];
      proms: Record<string, any>[];
      complications: Record<string, any>[];
    };
  }

  // --- export jobs -------------------------------------------------------------------------
  private jobs(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ExportJobEntity);
  }

  createJob(
    values: Pick<ExportJobEntity, 'requestedBy' | 'dataset' | 'format' | 'filters' | 'identified' | 'correlationId'>,
  ): Promise<ExportJobEntity> {
    return this.jobs().save(
      this.jobs().create({
        ...values,
        status: 'queued',
        attempts: 0,
        rows: null,
        rowsTotal: null,
        sha256: null,
        fileName: null,
        error: null,
        startedAt: null,
        finishedAt: null,
      }),
    );
  }

  findJob(id: string): Promise<ExportJobEntity | null> {
    return this.jobs().findOneBy({ id });
  }

  // Claims the oldest queued job; SKIP LOCKED lets several workers share the queue.
  async claimNext(): Promise<ExportJobEntity | null> {
    const [claimed] = returned<{ id: string }>(
      await this.dataSource.query(
        `UPDATE export_jobs SET status = 'running', attempts = attempts + 1, started_at = now(), error = NULL, rows_written = 0
       WHERE id = (SELECT id FROM export_jobs WHERE status = 'queued' ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
       RETURNING id`,
      ),
    );
    return claimed ? this.findJob(claimed.id) : null;
  }

  async progress(id: string, rows: number, rowsTotal: number): Promise<void> {
    await this.jobs().update({ id }, { rows, rowsTotal });
  }

  async finish(
    id: string,
    values: { status: ExportJobStatus; rows?: number; sha256?: string; fileName?: string; error?: string },
  ): Promise<void> {
    await this.jobs().update({ id }, { ...values, finishedAt: new Date() });
  }

  // At start-up: a job left running by a stopped process is queued again, or failed once it has
  // used its attempts — never left running for ever.
  async recoverInterrupted(maxAttempts: number): Promise<{ requeued: number; failed: number }> {
    const failed = await this.dataSource.query(
      `UPDATE export_jobs SET status = 'failed', finished_at = now(), error = 'interrupted by a restart too many times' WHERE status = 'running' AND attempts >= $1 RETURNING id`,
      [maxAttempts],
    );
    const requeued = await this.dataSource.query(
      `UPDATE export_jobs SET status = 'queued' WHERE status = 'running' RETURNING id`,
    );
    return { requeued: returned(requeued).length, failed: returned(failed).length };
  }
}
