import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportJobEntity, type ExportJobStatus } from '../entities/export-job.entity.js';
import { UserEntity } from '../entities/user.entity.js';
import { caseFilterSql, exportedPatientSql, type ReportFilter } from './report.repository.js';

export { SCORED_INSTRUMENTS as EXPORT_INSTRUMENTS } from '@ilr/clinical';
import { INSTRUMENTS, SCORED_INSTRUMENTS as EXPORT_INSTRUMENTS } from '@ilr/clinical';
import { returned } from './sql-results.js';
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

// Identified exports name the surgeon by their account, so that the file imports as it is (step 11).
const SURGEON_EMAIL = '(SELECT u.email FROM users u WHERE u.id = c.surgeon_id) AS surgeon_email';

function casesSql(where: string, identified: boolean): string {
  return `
    SELECT ${CASE_EXPORT_COLUMNS}, p.birth_date, p.sex, p.deceased_date${identified ? `, p.mrn_ciphertext, ${SURGEON_EMAIL}` : ''}, f.*
    FROM cases c
    JOIN patients p ON p.id = c.patient_id AND ${exportedPatientSql('p')}
    JOIN case_facts f ON f.case_id = c.id
    WHERE ${where}
    ORDER BY c.surgery_date, c.registry_code`;
}

// The CSV fast path for cases: only what Node computes (ids for pseudonyms, dates for year and
// age, and in identified exports the identifying fields), plus `csv_tail`, the rest of the line
// already rendered by PostgreSQL (codes, numbers and flags only: no free text).
function casesCsvSql(where: string, identified: boolean, tail: string): string {
  const identifying = identified
    ? `, c.registry_code, c.portals_other, c.notes, p.mrn_ciphertext, ${SURGEON_EMAIL}`
    : '';
  return `
    SELECT c.id, c.patient_id, c.surgeon_id, c.surgery_date, p.birth_date${identifying}, ${tail} AS csv_tail
    FROM cases c
    JOIN patients p ON p.id = c.patient_id AND ${exportedPatientSql('p')}
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
           ${INSTRUMENTS.map((i) => `(array_agg(r.items) FILTER (WHERE r.instrument = '${i}'))[1] AS ${ident(i === 'eq5d5l' ? i : `${i}_items`)}`).join(',\n           ')}
    FROM cases c
    JOIN patients p ON p.id = c.patient_id AND ${exportedPatientSql('p')}
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
    JOIN patients p ON p.id = c.patient_id AND ${exportedPatientSql('p')}
    JOIN complications k ON k.case_id = c.id AND k.deleted_at IS NULL
    WHERE ${where}
    ORDER BY c.surgery_date, c.registry_code, k.onset_date, k.id`;
}

// The rows an export of the dataset will write (ExportRepository.count), as a plain statement.
export function exportCountSql(dataset: ExportDataset, filter: ReportFilter): { text: string; params: unknown[] } {
  const where = caseFilterSql(filter, 1);
  const join =
    dataset === 'cases'
      ? ''
      : dataset === 'follow-ups'
        ? 'JOIN follow_ups f ON f.case_id = c.id AND f.deleted_at IS NULL'
        : 'JOIN complications k ON k.case_id = c.id AND k.deleted_at IS NULL';
  return {
    text: `SELECT count(*)::int AS n FROM cases c JOIN patients p ON p.id = c.patient_id AND ${exportedPatientSql('p')} ${join} WHERE ${where.sql}`,
    params: where.params,
  };
}

// The cases matching the filters that an export leaves out, by reason, each counted once under the
// first that applies: the case was deleted, or its patient is outside the export rule (exportedPatientSql).
export function exportExclusionsSql(filter: ReportFilter): { text: string; params: unknown[] } {
  const where = caseFilterSql(filter, 1, true);
  return {
    text: `SELECT CASE WHEN c.deleted_at IS NOT NULL THEN 'case_deleted' ELSE 'consent_' || p.consent END AS reason,
                  count(*)::int AS cases
           FROM cases c JOIN patients p ON p.id = c.patient_id
           WHERE ${where.sql} AND (c.deleted_at IS NOT NULL OR NOT (${exportedPatientSql('p')}))
           GROUP BY 1 ORDER BY 1`,
    params: where.params,
  };
}

// One attempt's hold on an export job: the worker that claimed it and the attempt number.
export interface JobLease {
  jobId: string;
  workerId: string;
  attempt: number;
}

// An export job with who asked for it (listed and read by registry staff and admins).
export interface ListedExportJob {
  job: ExportJobEntity;
  createdBy: { id: string; displayName: string };
}

export interface ExportJobListFilter {
  // Only this user's jobs (registry staff see their own; admins everyone's).
  requestedBy?: string;
  // Identified jobs are left out for callers who may not read them.
  includeIdentified: boolean;
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
    const { text, params } = exportCountSql(dataset, filter);
    const [{ n }] = await this.dataSource.query(text, params);
    return n;
  }

  async exclusions(filter: ReportFilter): Promise<Array<{ reason: string; cases: number }>> {
    const { text, params } = exportExclusionsSql(filter);
    return this.dataSource.query(text, params);
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

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', work);
  }

  createJob(
    values: Pick<ExportJobEntity, 'requestedBy' | 'dataset' | 'format' | 'filters' | 'identified' | 'correlationId'>,
  ): Promise<ExportJobEntity> {
    return this.jobs().save(
      this.jobs().create({
        ...values,
        status: 'queued',
        attempts: 0,
        claimedBy: null,
        leaseExpiresAt: null,
        heartbeatAt: null,
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

  // Newest first, keyset on (created_at, id); the cursor is the last job's id, so that its
  // created_at is compared at the database's precision (microseconds), not a JavaScript Date's.
  async listJobs(
    filter: ExportJobListFilter,
    limit: number,
    afterId?: string,
  ): Promise<{ items: ListedExportJob[]; hasMore: boolean }> {
    const query = this.jobs()
      .createQueryBuilder('j')
      .innerJoin(UserEntity, 'u', 'u.id = j.requested_by')
      .addSelect(['u.id AS u_id', 'u.display_name AS u_display_name']);
    if (filter.requestedBy) query.andWhere('j.requested_by = :requestedBy', { requestedBy: filter.requestedBy });
    if (!filter.includeIdentified) query.andWhere('j.identified = false');
    if (afterId)
      query.andWhere('(j.created_at, j.id) < (SELECT a.created_at, a.id FROM export_jobs a WHERE a.id = :afterId)', {
        afterId,
      });
    const { entities, raw } = await query
      .orderBy('j.created_at', 'DESC')
      .addOrderBy('j.id', 'DESC')
      .limit(limit + 1)
      .getRawAndEntities<{ j_id: string; u_id: string; u_display_name: string }>();
    const creators = new Map(raw.map((r) => [r.j_id, { id: r.u_id, displayName: r.u_display_name }]));
    const items = entities.map((job) => ({ job, createdBy: creators.get(job.id)! }));
    return { items: items.slice(0, limit), hasMore: items.length > limit };
  }

  // Claims the oldest job that is queued, or running under a lease that has expired (its worker's
  // process stopped or stalled past its lease) and has attempts left. The claim raises the attempt
  // number, so every attempt is told apart from the one it replaces. The row is locked with SKIP
  // LOCKED: concurrent claimers (threads or processes) skip it rather than queue for it, and
  // READ COMMITTED re-checks the WHERE against the row as committed, so a job that another worker
  // has just claimed or renewed is not taken. All times are the database's, not a process clock.
  async claimNext(workerId: string, leaseMs: number, maxAttempts: number): Promise<JobLease | null> {
    const [claimed] = returned<{ id: string; attempts: number }>(
      await this.dataSource.query(
        `UPDATE export_jobs
         SET status = 'running', attempts = attempts + 1, claimed_by = $1,
             lease_expires_at = now() + $2 * interval '1 millisecond', heartbeat_at = now(),
             started_at = now(), error = NULL, rows_written = 0
         WHERE id = (
           SELECT id FROM export_jobs
           WHERE status = 'queued'
              OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now()) AND attempts < $3)
           ORDER BY created_at
           FOR UPDATE SKIP LOCKED
           LIMIT 1)
         RETURNING id, attempts`,
        [workerId, leaseMs, maxAttempts],
      ),
    );
    return claimed ? { jobId: claimed.id, workerId, attempt: claimed.attempts } : null;
  }

  // Renews a lease that is still held: the same worker and attempt, still running, and not yet
  // expired. A lease that ran out is lost even if nobody has taken the job yet: its holder stops.
  async renewLease(lease: JobLease, leaseMs: number): Promise<boolean> {
    const rows = returned(
      await this.dataSource.query(
        `UPDATE export_jobs SET heartbeat_at = now(), lease_expires_at = now() + $4 * interval '1 millisecond'
         WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND status = 'running' AND lease_expires_at > now()
         RETURNING id`,
        [lease.jobId, lease.workerId, lease.attempt, leaseMs],
      ),
    );
    return rows.length === 1;
  }

  // Progress of the attempt that holds the job; false when it no longer does.
  async progress(lease: JobLease, rows: number, rowsTotal: number): Promise<boolean> {
    const rowsUpdated = returned(
      await this.dataSource.query(
        `UPDATE export_jobs SET rows_written = $4, rows_total = $5
         WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND status = 'running' RETURNING id`,
        [lease.jobId, lease.workerId, lease.attempt, rows, rowsTotal],
      ),
    );
    return rowsUpdated.length === 1;
  }

  // Locks the job for the rest of the transaction if this attempt still holds it. While the lock is
  // held no other worker can claim, fail or finish the job, so the attempt can put its file in place
  // and record the result as one step.
  async lockHeld(manager: EntityManager, lease: JobLease): Promise<boolean> {
    const rows = await manager.query(
      `SELECT id FROM export_jobs WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND status = 'running' FOR UPDATE`,
      [lease.jobId, lease.workerId, lease.attempt],
    );
    return (rows as unknown[]).length === 1;
  }

  // Ends the attempt that holds the job (done or failed); false, and nothing written, when the
  // attempt no longer holds it — a worker that lost its lease never overwrites the result.
  async finish(
    lease: JobLease,
    values: { status: ExportJobStatus; rows?: number; sha256?: string; fileName?: string; error?: string },
    manager?: EntityManager,
  ): Promise<boolean> {
    const result = await this.jobs(manager)
      .createQueryBuilder()
      .update()
      .set({ ...values, finishedAt: () => 'now()', leaseExpiresAt: null })
      .where('id = :id AND claimed_by = :workerId AND attempts = :attempt AND status = :running', {
        id: lease.jobId,
        workerId: lease.workerId,
        attempt: lease.attempt,
        running: 'running',
      })
      .execute();
    return result.affected === 1;
  }

  // A running job whose lease expired after its last allowed attempt is failed, never left running.
  async failExhausted(maxAttempts: number): Promise<number> {
    const failed = await this.dataSource.query(
      `UPDATE export_jobs SET status = 'failed', finished_at = now(), lease_expires_at = NULL,
              error = 'interrupted too many times: its worker stopped before finishing ' || attempts || ' times'
       WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now()) AND attempts >= $1
       RETURNING id`,
      [maxAttempts],
    );
    return returned(failed).length;
  }
}
