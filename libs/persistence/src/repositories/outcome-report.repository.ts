import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { caseFilterSql, type ReportFilter, windowsSql } from './report.repository.js';

// How reports may group cases, each a fixed SQL expression over the case row `c` (never user text).
export const GROUP_BY_SQL = {
  none: `'all'`,
  releaseLocation: 'c.release_location',
  impingementRepair: 'c.impingement_performed::text',
  surgeon: 'c.surgeon_id::text',
  year: 'extract(year FROM c.surgery_date)::int::text',
  capsularLevel: `coalesce(c.release_capsular_level, 'not_capsular')`,
  technique: 'c.release_technique',
  positioning: 'c.positioning',
  hoProphylaxis: 'c.ho_prophylaxis',
} as const;
export type GroupBy = keyof typeof GROUP_BY_SQL;

export const ENDPOINT_SQL = {
  recurrence: 'co.recurrence',
  reoperation: 'co.reoperation',
  conversion: 'co.conversion',
} as const;
export type SurvivalEndpoint = keyof typeof ENDPOINT_SQL;

export const HORIZON_OUTCOMES = {
  complication_90d: { event: 'co.first_onset', horizon: 90 },
  recurrence_1y: { event: 'co.recurrence', horizon: 365 },
  reoperation_1y: { event: 'co.reoperation', horizon: 365 },
} as const;
export type HorizonOutcome = keyof typeof HORIZON_OUTCOMES;

// The selected live cases with their group key, and (for survival, funnel, CUSUM) each case's
// first event dates and last contact. Aggregates over follow-ups and complications are computed
// once per table (GROUP BY case) and hash-joined, rather than a correlated subquery per case.
function cohortSql(filter: ReportFilter, groupBy: GroupBy, offset: number) {
  const where = caseFilterSql(filter, offset);
  return {
    params: where.params,
    sql: `
      sel AS (
        SELECT c.id, c.registry_code, c.surgeon_id, c.patient_id, c.surgery_date, c.ho_prophylaxis, ${GROUP_BY_SQL[groupBy]} AS key
        FROM cases c WHERE ${where.sql}
      ),
      fu AS (
        SELECT f.case_id, max(f.visit_date) AS last_visit
        FROM follow_ups f JOIN sel ON sel.id = f.case_id
        WHERE f.deleted_at IS NULL GROUP BY f.case_id
      ),
      co AS (
        SELECT k.case_id,
               min(k.onset_date) FILTER (WHERE k.type = 'recurrent_snapping') - min(sel.surgery_date) AS recurrence,
               min(k.reoperation_date) - min(sel.surgery_date) AS reoperation,
               min(k.reoperation_date) FILTER (WHERE k.type = 'conversion_to_arthroplasty') - min(sel.surgery_date) AS conversion,
               min(k.onset_date) - min(sel.surgery_date) AS first_onset,
               max(GREATEST(k.onset_date, k.resolved_date, k.reoperation_date)) AS last_date
        FROM complications k JOIN sel ON sel.id = k.case_id
        WHERE k.deleted_at IS NULL GROUP BY k.case_id
      ),
      per_case AS (
        SELECT sel.*, co.recurrence, co.reoperation, co.conversion, co.first_onset,
               -- Last contact: latest visit, complication date or death; day 0 when nothing follows surgery.
               GREATEST(0, GREATEST(fu.last_visit, co.last_date, p.deceased_date) - sel.surgery_date) AS last_contact
        FROM sel
        JOIN patients p ON p.id = sel.patient_id
        LEFT JOIN fu ON fu.case_id = sel.id
        LEFT JOIN co ON co.case_id = sel.id
      )`,
  };
}

export interface Statement {
  text: string;
  params: unknown[];
}

// The report SQL as plain statements, so the benchmark can time exactly what the API runs.
export const OUTCOME_STATEMENTS = {
  completeness(filter: ReportFilter, groupBy: GroupBy, today: string): Statement {
    const where = caseFilterSql(filter, 2);
    return { text: `WITH sel AS (SELECT c.id, c.surgery_date, ${GROUP_BY_SQL[groupBy]} AS key FROM cases c WHERE ${where.sql}),
            w(timepoint, from_day, to_day, target) AS (VALUES ${windowsSql()}),
            vis AS (SELECT DISTINCT f.case_id, f.timepoint FROM follow_ups f JOIN sel ON sel.id = f.case_id WHERE f.deleted_at IS NULL)
       SELECT sel.key, w.timepoint,
              count(*)::int AS cases,
              count(*) FILTER (WHERE sel.surgery_date + w.to_day < $1::date)::int AS due,
              count(vis.case_id) FILTER (WHERE sel.surgery_date + w.to_day < $1::date)::int AS seen
       FROM sel CROSS JOIN w
       LEFT JOIN vis ON vis.case_id = sel.id AND vis.timepoint = w.timepoint
       GROUP BY sel.key, w.timepoint, w.from_day
       ORDER BY sel.key, w.from_day`, params: [today, ...where.params] };
  },
  complications(filter: ReportFilter, groupBy: GroupBy): Statement {
    const where = caseFilterSql(filter, 1);
    return { text: `WITH sel AS (SELECT c.id, ${GROUP_BY_SQL[groupBy]} AS key FROM cases c WHERE ${where.sql})
       SELECT sel.key, k.type, count(*)::int AS complications, count(DISTINCT k.case_id)::int AS cases
       FROM sel JOIN complications k ON k.case_id = sel.id AND k.deleted_at IS NULL
       GROUP BY sel.key, k.type ORDER BY sel.key, k.type`, params: where.params };
  },
  complicationDetails(filter: ReportFilter, groupBy: GroupBy): Statement {
    const where = caseFilterSql(filter, 1);
    return { text: `WITH sel AS (SELECT c.id, c.ho_prophylaxis, ${GROUP_BY_SQL[groupBy]} AS key FROM cases c WHERE ${where.sql}),
            per_case AS (
              SELECT sel.id, sel.key, sel.ho_prophylaxis,
                     max(k.brooker_grade) AS brooker,
                     bool_or(k.reoperation_date IS NOT NULL) AS reoperated,
                     bool_or(k.type = 'conversion_to_arthroplasty') AS converted
              FROM sel LEFT JOIN complications k ON k.case_id = sel.id AND k.deleted_at IS NULL
              GROUP BY sel.id, sel.key, sel.ho_prophylaxis
            )
       SELECT key, 'brooker' AS kind, brooker::text AS item, count(*)::int AS cases, 0 AS total FROM per_case WHERE brooker IS NOT NULL GROUP BY key, brooker
       UNION ALL
       SELECT key, 'ho_prophylaxis', ho_prophylaxis, count(*) FILTER (WHERE brooker IS NOT NULL)::int, count(*)::int FROM per_case GROUP BY key, ho_prophylaxis
       UNION ALL
       SELECT key, 'reoperation', 'all', count(*) FILTER (WHERE reoperated)::int, count(*)::int FROM per_case GROUP BY key
       UNION ALL
       SELECT key, 'conversion', 'all', count(*) FILTER (WHERE converted)::int, count(*)::int FROM per_case GROUP BY key
       UNION ALL
       SELECT sel.key, 'recurrence_cause', k.recurrence_cause, count(DISTINCT k.case_id)::int, 0
       FROM sel JOIN complications k ON k.case_id = sel.id AND k.deleted_at IS NULL AND k.type = 'recurrent_snapping'
       GROUP BY sel.key, k.recurrence_cause`, params: where.params };
  },
  proms(filter: ReportFilter, groupBy: GroupBy): Statement {
    const where = caseFilterSql(filter, 1);
    return { text: `WITH sel AS (SELECT c.id, ${GROUP_BY_SQL[groupBy]} AS key FROM cases c WHERE ${where.sql}),
            w(timepoint, from_day, to_day, target) AS (VALUES ${windowsSql()}),
            picked AS (
              SELECT DISTINCT ON (f.case_id, f.timepoint) f.case_id, f.timepoint, f.id
              FROM follow_ups f JOIN sel ON sel.id = f.case_id JOIN w ON w.timepoint = f.timepoint
              WHERE f.deleted_at IS NULL
              ORDER BY f.case_id, f.timepoint, abs(f.day - w.target), f.day
            ),
            scores AS (
              SELECT p.case_id, p.timepoint, r.instrument, r.score
              FROM picked p JOIN prom_responses r ON r.follow_up_id = p.id
              WHERE r.score IS NOT NULL
            ),
            base AS (SELECT case_id, instrument, score FROM scores WHERE timepoint = 'preop')
       SELECT sel.key, s.instrument, s.timepoint,
              count(*)::int AS n,
              avg(s.score) AS mean,
              count(b.score)::int AS paired,
              avg(s.score - b.score) AS mean_change,
              count(*) FILTER (WHERE b.score IS NOT NULL AND s.score - b.score >= th.mcid)::int AS mcid_reached,
              count(*) FILTER (WHERE b.score IS NOT NULL AND th.mcid IS NOT NULL)::int AS mcid_n,
              count(*) FILTER (WHERE s.score >= th.pass)::int AS pass_reached,
              count(*) FILTER (WHERE th.pass IS NOT NULL)::int AS pass_n
       FROM sel
       JOIN scores s ON s.case_id = sel.id
       LEFT JOIN base b ON b.case_id = s.case_id AND b.instrument = s.instrument AND s.timepoint <> 'preop'
       LEFT JOIN prom_thresholds th ON th.instrument = s.instrument
         AND th.timepoint = CASE WHEN s.timepoint IN ('6w', '3m', '6m') THEN '1y' WHEN s.timepoint = 'preop' THEN NULL ELSE s.timepoint END
       GROUP BY sel.key, s.instrument, s.timepoint
       ORDER BY sel.key, s.instrument, s.timepoint`, params: where.params };
  },
  survivalCounts(filter: ReportFilter, groupBy: GroupBy, endpoint: SurvivalEndpoint): Statement {
    const cohort = cohortSql(filter, groupBy, 1);
    const event = ENDPOINT_SQL[endpoint].replace('co.', '');
    return { text: `WITH ${cohort.sql}
       SELECT key, day, count(*) FILTER (WHERE event)::int AS events, count(*) FILTER (WHERE NOT event)::int AS censored
       FROM (SELECT key, coalesce(${event}, last_contact) AS day, ${event} IS NOT NULL AS event FROM per_case) x
       GROUP BY key, day ORDER BY key, day`, params: cohort.params };
  },
  horizonBySurgeon(filter: ReportFilter, outcome: HorizonOutcome): Statement {
    const cohort = cohortSql(filter, 'surgeon', 1);
    const { event, horizon } = HORIZON_OUTCOMES[outcome];
    const e = event.replace('co.', '');
    return { text: `WITH ${cohort.sql}
       SELECT surgeon_id::text, count(*) FILTER (WHERE evaluable)::int AS cases, count(*) FILTER (WHERE evaluable AND event)::int AS events
       FROM (
         SELECT surgeon_id, (${e} IS NOT NULL AND ${e} <= ${horizon}) AS event,
                ((${e} IS NOT NULL AND ${e} <= ${horizon}) OR last_contact >= ${horizon}) AS evaluable
         FROM per_case
       ) x
       GROUP BY surgeon_id ORDER BY surgeon_id`, params: cohort.params };
  },
  horizonSeries(filter: ReportFilter, outcome: HorizonOutcome): Statement {
    const cohort = cohortSql(filter, 'none', 1);
    const { event, horizon } = HORIZON_OUTCOMES[outcome];
    const e = event.replace('co.', '');
    return { text: `WITH ${cohort.sql}
       SELECT id AS case_id, registry_code, surgery_date, (${e} IS NOT NULL AND ${e} <= ${horizon}) AS event
       FROM per_case
       WHERE (${e} IS NOT NULL AND ${e} <= ${horizon}) OR last_contact >= ${horizon}
       ORDER BY surgery_date, registry_code`, params: cohort.params };
  },
};

@Injectable()
export class OutcomeReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run<T>(statement: Statement): Promise<T[]> {
    return this.dataSource.query(statement.text, statement.params);
  }

// Cases per group, and follow-up completeness per timepoint: of the cases whose window has
  // closed, how many have a visit in it.
  completeness(filter: ReportFilter, groupBy: GroupBy, today: string) {
    return this.run<{ key: string; timepoint: string; cases: number; due: number; seen: number }>(OUTCOME_STATEMENTS.completeness(filter, groupBy, today));
  }

// Complications per group and type: how many, and how many cases have at least one.
  complications(filter: ReportFilter, groupBy: GroupBy) {
    return this.run<{ key: string; type: string; complications: number; cases: number }>(OUTCOME_STATEMENTS.complications(filter, groupBy));
  }

// Per group: cases by their highest Brooker grade; HO by prophylaxis; recurrences by cause;
  // cases reoperated and converted to arthroplasty.
  complicationDetails(filter: ReportFilter, groupBy: GroupBy) {
    return this.run<{ key: string; kind: string; item: string; cases: number; total: number }>(OUTCOME_STATEMENTS.complicationDetails(filter, groupBy));
  }

// PROMs per group, instrument and timepoint, on the one visit per case and window nearest the
  // target day (earlier on a tie): mean, paired change from preop, and MCID / PASS reached
  // against the thresholds table (visits before 1y use the 1y values).
  proms(filter: ReportFilter, groupBy: GroupBy) {
    return this.run<{
      key: string; instrument: string; timepoint: string; n: number; mean: number | null;
      paired: number; mean_change: number | null; mcid_reached: number; mcid_n: number; pass_reached: number; pass_n: number;
    }>(OUTCOME_STATEMENTS.proms(filter, groupBy));
  }

// Events and censorings per group and day for a survival endpoint.
  survivalCounts(filter: ReportFilter, groupBy: GroupBy, endpoint: SurvivalEndpoint) {
    return this.run<{ key: string; day: number; events: number; censored: number }>(OUTCOME_STATEMENTS.survivalCounts(filter, groupBy, endpoint));
  }

// Evaluable cases and events at a fixed horizon, per surgeon.
  horizonBySurgeon(filter: ReportFilter, outcome: HorizonOutcome) {
    return this.run<{ surgeon_id: string; cases: number; events: number }>(OUTCOME_STATEMENTS.horizonBySurgeon(filter, outcome));
  }

// One surgeon's evaluable cases in surgery-date order (then registry code), with the outcome.
  horizonSeries(filter: ReportFilter, outcome: HorizonOutcome) {
    return this.run<{ case_id: string; registry_code: string; surgery_date: string; event: boolean }>(OUTCOME_STATEMENTS.horizonSeries(filter, outcome));
  }
}
