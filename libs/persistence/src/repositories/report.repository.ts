import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TIMEPOINT_WINDOWS } from '@ilr/clinical';

// The common report filters of API.md. `surgeonId` also carries a surgeon's own scope.
// `consentedOnly` keeps the cases an export contains (exportedPatientSql); exports always apply it.
export interface ReportFilter {
  from?: string;
  to?: string;
  surgeonId?: string;
  releaseLocation?: string;
  impingementRepair?: boolean;
  consentedOnly?: boolean;
}

// The one definition of whose cases an export contains (DOMAIN.md § Patient: only patients whose
// consent is 'given'). Exports join on it; reports with consentedOnly=true select by it.
export const EXPORTED_CONSENT = 'given';
export function exportedPatientSql(patientAlias: string): string {
  return `${patientAlias}.consent = '${EXPORTED_CONSENT}'`;
}

// Builds the WHERE clause for live cases (alias c) under the common filters; parameters numbered from `offset`.
// `withDeleted`: also deleted cases (for counting what an export leaves out).
export function caseFilterSql(
  filter: ReportFilter,
  offset = 1,
  withDeleted = false,
): { sql: string; params: unknown[] } {
  const clauses = withDeleted ? ['TRUE'] : ['c.deleted_at IS NULL'];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    clauses.push(clause.replace('?', `$${offset + params.length - 1}`));
  };
  if (filter.from) add('c.surgery_date >= ?::date', filter.from);
  if (filter.to) add('c.surgery_date <= ?::date', filter.to);
  if (filter.surgeonId) add('c.surgeon_id = ?::uuid', filter.surgeonId);
  if (filter.releaseLocation) add('c.release_location = ?', filter.releaseLocation);
  if (filter.impingementRepair !== undefined) add('c.impingement_performed = ?', filter.impingementRepair);
  if (filter.consentedOnly)
    clauses.push(`EXISTS (SELECT 1 FROM patients cp WHERE cp.id = c.patient_id AND ${exportedPatientSql('cp')})`);
  return { sql: clauses.join(' AND '), params };
}

// The follow-up windows as a SQL VALUES list, from the clinical core (integers only: safe to inline).
export function windowsSql(): string {
  return TIMEPOINT_WINDOWS.map((w) => `('${w.code}', ${w.from}, ${w.to}, ${w.target})`).join(', ');
}

// DOMAIN.md § Follow-up visit: a timepoint is overdue when its window (row `w` of windowsSql) has closed,
// the case has no live visit in it, and the patient is alive and consenting. The one rule of the
// data-quality report's overdue list and of each case's overdueTimepoints; `today` is a SQL date expression.
export function overdueTimepointSql(c: string, p: string, w: string, today: string): string {
  return `${p}.deceased_date IS NULL AND ${exportedPatientSql(p)}
         AND ${c}.surgery_date + ${w}.to_day < ${today}
         AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.case_id = ${c}.id AND f.deleted_at IS NULL AND f.timepoint = ${w}.timepoint)`;
}

// The overdue timepoints of case `c` in window order, as a text[] column of a case query.
export function overdueTimepointsSql(c: string, today: string): string {
  return `ARRAY(SELECT w.timepoint FROM patients op CROSS JOIN (VALUES ${windowsSql()}) w(timepoint, from_day, to_day, target)
         WHERE op.id = ${c}.patient_id AND ${overdueTimepointSql(c, 'op', 'w', today)}
         ORDER BY w.from_day)`;
}

export interface OverdueRow {
  case_id: string;
  registry_code: string;
  surgeon_id: string;
  surgery_date: string;
  timepoint: string;
  window_closed: string;
  // The timepoint's questionnaire invitation, when one was made.
  invitation_status: string | null;
  invitation_sent_at: Date | null;
  invitation_reminders: number | null;
}
export interface DraftRow {
  case_id: string;
  registry_code: string;
  surgeon_id: string;
  surgery_date: string;
  created_at: Date;
  days_unsigned: number;
}
export interface MissingRow {
  case_id: string;
  registry_code: string;
  surgeon_id: string;
  follow_up_id: string;
  visit_date: string;
  timepoint: string;
  missing: string[];
}

@Injectable()
export class ReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.dataSource.query(sql, params);
  }

  // Each overdue timepoint of the selected cases (overdueTimepointSql).
  overdueFollowUps(filter: ReportFilter, today: string, limit: number): Promise<OverdueRow[]> {
    const where = caseFilterSql(filter, 3);
    return this.query(
      `WITH w(timepoint, from_day, to_day, target) AS (VALUES ${windowsSql()})
       SELECT c.id AS case_id, c.registry_code, c.surgeon_id, c.surgery_date, w.timepoint,
              (c.surgery_date + w.to_day)::text AS window_closed,
              qi.status AS invitation_status, qi.first_sent_at AS invitation_sent_at, qi.reminders_sent AS invitation_reminders
       FROM cases c
       JOIN patients p ON p.id = c.patient_id
       CROSS JOIN w
       LEFT JOIN questionnaire_invitations qi ON qi.case_id = c.id AND qi.timepoint = w.timepoint
       WHERE ${where.sql} AND ${overdueTimepointSql('c', 'p', 'w', '$1::date')}
       ORDER BY window_closed, c.registry_code, w.from_day
       LIMIT $2`,
      [today, limit, ...where.params],
    );
  }

  unsignedDrafts(filter: ReportFilter, olderThanDays: number, limit: number): Promise<DraftRow[]> {
    const where = caseFilterSql(filter, 3);
    return this.query(
      `SELECT c.id AS case_id, c.registry_code, c.surgeon_id, c.surgery_date, c.created_at,
              floor(extract(epoch FROM now() - c.created_at) / 86400)::int AS days_unsigned
       FROM cases c
       WHERE ${where.sql} AND c.status = 'draft' AND c.created_at < now() - make_interval(days => $1)
       ORDER BY c.created_at, c.registry_code
       LIMIT $2`,
      [olderThanDays, limit, ...where.params],
    );
  }

  // Visits at scheduled timepoints without the registry's core outcome data (a registry rule):
  // snapping, groin pain, and a scored mHHS and iHOT-12.
  missingFollowUpData(filter: ReportFilter, limit: number): Promise<MissingRow[]> {
    const where = caseFilterSql(filter, 2);
    return this.query(
      `SELECT * FROM (
         SELECT c.id AS case_id, c.registry_code, c.surgeon_id, f.id AS follow_up_id, f.visit_date, f.timepoint,
                array_remove(ARRAY[
                  CASE WHEN f.snapping IS NULL THEN 'snapping' END,
                  CASE WHEN f.groin_pain IS NULL THEN 'groinPain' END,
                  CASE WHEN NOT EXISTS (SELECT 1 FROM prom_responses r WHERE r.follow_up_id = f.id AND r.instrument = 'mhhs' AND r.score IS NOT NULL) THEN 'proms.mhhs' END,
                  CASE WHEN NOT EXISTS (SELECT 1 FROM prom_responses r WHERE r.follow_up_id = f.id AND r.instrument = 'ihot12' AND r.score IS NOT NULL) THEN 'proms.ihot12' END
                ], NULL) AS missing
         FROM cases c
         JOIN follow_ups f ON f.case_id = c.id AND f.deleted_at IS NULL AND f.timepoint <> 'unscheduled'
         WHERE ${where.sql}
       ) v
       WHERE cardinality(missing) > 0
       ORDER BY visit_date, registry_code
       LIMIT $1`,
      [limit, ...where.params],
    );
  }
}
