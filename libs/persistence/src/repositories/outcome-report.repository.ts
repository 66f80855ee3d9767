import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONSENT, type Consent, TIMEPOINT_WINDOWS } from '@ilr/clinical';
import { factColumn, FACT_INSTRUMENTS } from '../entities/case-facts.entity.js';
import { caseFilterSql, type ReportFilter } from './report.repository.js';

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
  recurrence: 'recurrence_day',
  reoperation: 'reoperation_day',
  conversion: 'conversion_day',
} as const;
export type SurvivalEndpoint = keyof typeof ENDPOINT_SQL;

export const HORIZON_OUTCOMES = {
  complication_90d: { event: 'first_complication_day', horizon: 90 },
  recurrence_1y: { event: 'recurrence_day', horizon: 365 },
  reoperation_1y: { event: 'reoperation_day', horizon: 365 },
} as const;
export type HorizonOutcome = keyof typeof HORIZON_OUTCOMES;

// The selected live cases with their group key, their patient's consent and their facts (case_facts:
// visits used per timepoint, scores, event days, last contact), one row per case.
function factsSql(filter: ReportFilter, groupBy: GroupBy, offset: number) {
  const where = caseFilterSql(filter, offset);
  return {
    params: where.params,
    sql: `sel AS (
        SELECT c.id, c.registry_code, c.surgeon_id, c.surgery_date, c.ho_prophylaxis, ${GROUP_BY_SQL[groupBy]} AS key, p.consent, f.*
        FROM cases c JOIN patients p ON p.id = c.patient_id JOIN case_facts f ON f.case_id = c.id
        WHERE ${where.sql}
      )`,
  };
}

// Per consent state, the cases satisfying `condition` (a boolean SQL expression over sel), as int columns `consent_<state>`.
const consentColumns = (condition = 'true') =>
  CONSENT.codes.map(
    (state) => `count(*) FILTER (WHERE consent = '${state}' AND ${condition})::int AS "consent_${state}"`,
  );

const SCHEDULED = TIMEPOINT_WINDOWS.filter((w) => w.code !== 'preop');

export interface Statement {
  text: string;
  params: unknown[];
}

// The report SQL as plain statements, so the benchmark can time exactly what the API runs.
export const OUTCOME_STATEMENTS = {
  // Per group: cases, and per timepoint the cases whose window has closed and, of those, the ones
  // with a visit in it; and the cases whose patient was invited to answer the timepoint's questionnaire
  // (a mail went), and of those the ones who answered it. One pass over the group's facts, joined to
  // each case's invitations folded into two arrays.
  completeness(filter: ReportFilter, groupBy: GroupBy, today: string): Statement {
    const facts = factsSql(filter, groupBy, 2);
    const columns = TIMEPOINT_WINDOWS.flatMap((w) => [
      `count(*) FILTER (WHERE surgery_date + ${w.to} < $1::date)::int AS "due_${w.code}"`,
      `count(*) FILTER (WHERE surgery_date + ${w.to} < $1::date AND ${factColumn.hasVisit(w.code)})::int AS "seen_${w.code}"`,
      `count(*) FILTER (WHERE '${w.code}' = ANY(inv.invited))::int AS "invited_${w.code}"`,
      `count(*) FILTER (WHERE '${w.code}' = ANY(inv.answered))::int AS "answered_${w.code}"`,
    ]);
    return {
      text: `WITH ${facts.sql},
       inv AS (
         SELECT case_id, array_agg(timepoint) FILTER (WHERE first_sent_at IS NOT NULL) AS invited,
                array_agg(timepoint) FILTER (WHERE status = 'answered') AS answered
         FROM questionnaire_invitations WHERE case_id IN (SELECT id FROM sel) GROUP BY case_id
       )
       SELECT key, count(*)::int AS cases, ${columns.join(', ')}
       FROM sel LEFT JOIN inv ON inv.case_id = sel.id GROUP BY key ORDER BY key`,
      params: [today, ...facts.params],
    };
  },
  complications(filter: ReportFilter, groupBy: GroupBy): Statement {
    const where = caseFilterSql(filter, 1);
    return {
      text: `WITH sel AS (SELECT c.id, ${GROUP_BY_SQL[groupBy]} AS key FROM cases c WHERE ${where.sql})
       SELECT sel.key, k.type, count(*)::int AS complications, count(DISTINCT k.case_id)::int AS cases
       FROM sel JOIN complications k ON k.case_id = sel.id AND k.deleted_at IS NULL
       GROUP BY sel.key, k.type ORDER BY sel.key, k.type`,
      params: where.params,
    };
  },
  // Cases by group, prophylaxis and highest Brooker grade, with HO, reoperation and conversion
  // counted in the same single pass over the facts; recurrence causes from the complications.
  complicationDetails(filter: ReportFilter, groupBy: GroupBy): Statement {
    const where = caseFilterSql(filter, 1);
    return {
      text: `WITH sel AS (
         SELECT c.id, c.ho_prophylaxis, ${GROUP_BY_SQL[groupBy]} AS key, f.max_brooker_grade, f.${factColumn.hasComplication('heterotopic_ossification')} AS ho,
                f.reoperation_day, f.conversion_day
         FROM cases c JOIN case_facts f ON f.case_id = c.id WHERE ${where.sql}
       )
       SELECT key, 'cell' AS kind, ho_prophylaxis AS item, max_brooker_grade AS brooker, count(*)::int AS cases,
              count(*) FILTER (WHERE ho)::int AS ho, count(*) FILTER (WHERE reoperation_day IS NOT NULL)::int AS reoperated,
              count(*) FILTER (WHERE conversion_day IS NOT NULL)::int AS converted
       FROM sel GROUP BY key, ho_prophylaxis, max_brooker_grade
       UNION ALL
       SELECT sel.key, 'recurrence_cause', k.recurrence_cause, NULL, count(DISTINCT k.case_id)::int, 0, 0, 0
       FROM sel JOIN complications k ON k.case_id = sel.id AND k.deleted_at IS NULL AND k.type = 'recurrent_snapping'
       GROUP BY sel.key, k.recurrence_cause`,
      params: where.params,
    };
  },
  // Per group, instrument and timepoint: n and mean; against the same case's preop score the paired
  // n and mean change; MCID and PASS reached against the thresholds table (visits before 1y use
  // the 1y values). One pass over the group's facts, every figure a column.
  proms(filter: ReportFilter, groupBy: GroupBy): Statement {
    const facts = factsSql(filter, groupBy, 1);
    const thresholdOf = (t: string) => (t === '6w' || t === '3m' || t === '6m' ? '1y' : t);
    const th = FACT_INSTRUMENTS.flatMap((i) =>
      ['1y', '2y', '5y'].flatMap((t) => [
        `max(mcid) FILTER (WHERE instrument = '${i}' AND timepoint = '${t}') AS "${i}_${t}_mcid"`,
        `max(pass) FILTER (WHERE instrument = '${i}' AND timepoint = '${t}') AS "${i}_${t}_pass"`,
      ]),
    );
    const columns = FACT_INSTRUMENTS.flatMap((i) => {
      const base = factColumn.score(i, 'preop');
      return [
        `count(${base})::int AS "${i}|preop|n"`,
        `avg(${base}) AS "${i}|preop|mean"`,
        ...SCHEDULED.flatMap(({ code: t }) => {
          const s = factColumn.score(i, t);
          const mcid = `th."${i}_${thresholdOf(t)}_mcid"`;
          const pass = `th."${i}_${thresholdOf(t)}_pass"`;
          return [
            `count(${s})::int AS "${i}|${t}|n"`,
            `avg(${s}) AS "${i}|${t}|mean"`,
            `count(${s} - ${base})::int AS "${i}|${t}|paired"`,
            `avg(${s} - ${base}) AS "${i}|${t}|mean_change"`,
            `count(*) FILTER (WHERE ${s} - ${base} >= ${mcid})::int AS "${i}|${t}|mcid_reached"`,
            `count(*) FILTER (WHERE ${s} - ${base} IS NOT NULL AND ${mcid} IS NOT NULL)::int AS "${i}|${t}|mcid_n"`,
            `count(*) FILTER (WHERE ${s} >= ${pass})::int AS "${i}|${t}|pass_reached"`,
            `count(*) FILTER (WHERE ${s} IS NOT NULL AND ${pass} IS NOT NULL)::int AS "${i}|${t}|pass_n"`,
          ];
        }),
      ];
    });
    return {
      text: `WITH ${facts.sql}, th AS (SELECT ${th.join(', ')} FROM prom_thresholds)
       SELECT key, ${columns.join(', ')} FROM sel CROSS JOIN th GROUP BY key ORDER BY key`,
      params: facts.params,
    };
  },
  // Per group, the selected cases by their patient's consent state (reports state how many come from
  // patients whose cases no export contains).
  consentByGroup(filter: ReportFilter, groupBy: GroupBy): Statement {
    const facts = factsSql(filter, groupBy, 1);
    return {
      text: `WITH ${facts.sql} SELECT key, ${consentColumns().join(', ')} FROM sel GROUP BY key ORDER BY key`,
      params: facts.params,
    };
  },
  survivalCounts(filter: ReportFilter, groupBy: GroupBy, endpoint: SurvivalEndpoint): Statement {
    const facts = factsSql(filter, groupBy, 1);
    const event = ENDPOINT_SQL[endpoint];
    return {
      text: `WITH ${facts.sql}
       SELECT key, day, count(*) FILTER (WHERE event)::int AS events, count(*) FILTER (WHERE NOT event)::int AS censored
       FROM (SELECT key, coalesce(${event}, last_contact_day) AS day, ${event} IS NOT NULL AS event FROM sel) x
       GROUP BY key, day ORDER BY key, day`,
      params: facts.params,
    };
  },
  horizonBySurgeon(filter: ReportFilter, outcome: HorizonOutcome): Statement {
    const facts = factsSql(filter, 'surgeon', 1);
    const { event: e, horizon } = HORIZON_OUTCOMES[outcome];
    return {
      text: `WITH ${facts.sql}
       SELECT surgeon_id::text, count(*) FILTER (WHERE evaluable)::int AS cases, count(*) FILTER (WHERE evaluable AND event)::int AS events,
              ${consentColumns('evaluable').join(', ')}
       FROM (
         SELECT surgeon_id, consent, (${e} IS NOT NULL AND ${e} <= ${horizon}) AS event,
                ((${e} IS NOT NULL AND ${e} <= ${horizon}) OR last_contact_day >= ${horizon}) AS evaluable
         FROM sel
       ) x
       GROUP BY surgeon_id ORDER BY surgeon_id`,
      params: facts.params,
    };
  },
  horizonSeries(filter: ReportFilter, outcome: HorizonOutcome): Statement {
    const facts = factsSql(filter, 'none', 1);
    const { event: e, horizon } = HORIZON_OUTCOMES[outcome];
    return {
      text: `WITH ${facts.sql}
       SELECT id AS case_id, registry_code, surgery_date, consent, (${e} IS NOT NULL AND ${e} <= ${horizon}) AS event
       FROM sel
       WHERE (${e} IS NOT NULL AND ${e} <= ${horizon}) OR last_contact_day >= ${horizon}
       ORDER BY surgery_date, registry_code`,
      params: facts.params,
    };
  },
};

export type ConsentCounts = Record<Consent, number>;
const consentCounts = (row: Record<string, any>): ConsentCounts =>
  Object.fromEntries(CONSENT.codes.map((state) => [state, row[`consent_${state}`] as number])) as ConsentCounts;

@Injectable()
export class OutcomeReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run<T>(statement: Statement): Promise<T[]> {
    return this.dataSource.query(statement.text, statement.params);
  }

  // Follow-up completeness as rows per group and timepoint, unpivoted from the one-row-per-group statement.
  async completeness(filter: ReportFilter, groupBy: GroupBy, today: string) {
    const rows = await this.run<Record<string, any>>(OUTCOME_STATEMENTS.completeness(filter, groupBy, today));
    return rows.flatMap((row) =>
      TIMEPOINT_WINDOWS.map((w) => ({
        key: row.key as string,
        timepoint: w.code as string,
        cases: row.cases as number,
        due: row[`due_${w.code}`] as number,
        seen: row[`seen_${w.code}`] as number,
        invited: row[`invited_${w.code}`] as number,
        answered: row[`answered_${w.code}`] as number,
      })),
    );
  }

  complications(filter: ReportFilter, groupBy: GroupBy) {
    return this.run<{ key: string; type: string; complications: number; cases: number }>(
      OUTCOME_STATEMENTS.complications(filter, groupBy),
    );
  }

  // Per group: cases by their highest Brooker grade; HO by prophylaxis; recurrences by cause; cases
  // reoperated and converted — as rows of (key, kind, item, cases, total), summed from one pass.
  async complicationDetails(filter: ReportFilter, groupBy: GroupBy) {
    type Cell = {
      key: string;
      kind: string;
      item: string;
      brooker: number | null;
      cases: number;
      ho: number;
      reoperated: number;
      converted: number;
    };
    const cells = await this.run<Cell>(OUTCOME_STATEMENTS.complicationDetails(filter, groupBy));
    const out: Array<{ key: string; kind: string; item: string; cases: number; total: number }> = [];
    const add = (key: string, kind: string, item: string, cases: number, total: number) => {
      const row = out.find((r) => r.key === key && r.kind === kind && r.item === item);
      if (row) {
        row.cases += cases;
        row.total += total;
      } else {
        out.push({ key, kind, item, cases, total });
      }
    };
    for (const c of cells) {
      if (c.kind === 'recurrence_cause') {
        out.push({ key: c.key, kind: c.kind, item: c.item, cases: c.cases, total: 0 });
        continue;
      }
      if (c.brooker !== null) add(c.key, 'brooker', String(c.brooker), c.cases, 0);
      add(c.key, 'ho_prophylaxis', c.item, c.ho, c.cases);
      add(c.key, 'reoperation', 'all', c.reoperated, c.cases);
      add(c.key, 'conversion', 'all', c.converted, c.cases);
    }
    return out;
  }

  // Rows per group, instrument and timepoint with at least one score, unpivoted from the statement.
  async proms(filter: ReportFilter, groupBy: GroupBy) {
    const rows = await this.run<Record<string, any>>(OUTCOME_STATEMENTS.proms(filter, groupBy));
    return rows.flatMap((row) =>
      FACT_INSTRUMENTS.flatMap((instrument) =>
        TIMEPOINT_WINDOWS.map(({ code: timepoint }) => {
          const get = (name: string) => row[`${instrument}|${timepoint}|${name}`];
          return {
            key: row.key as string,
            instrument: instrument as string,
            timepoint: timepoint as string,
            n: get('n') as number,
            mean: (get('mean') ?? null) as number | null,
            paired: (get('paired') ?? 0) as number,
            mean_change: (get('mean_change') ?? null) as number | null,
            mcid_reached: (get('mcid_reached') ?? 0) as number,
            mcid_n: (get('mcid_n') ?? 0) as number,
            pass_reached: (get('pass_reached') ?? 0) as number,
            pass_n: (get('pass_n') ?? 0) as number,
          };
        }).filter((r) => r.n > 0),
      ),
    );
  }

  // Per group, the cases by consent state: { key, byConsent: { given, declined, withdrawn } }.
  async consentByGroup(filter: ReportFilter, groupBy: GroupBy) {
    const rows = await this.run<Record<string, any>>(OUTCOME_STATEMENTS.consentByGroup(filter, groupBy));
    return rows.map((row) => ({ key: row.key as string, byConsent: consentCounts(row) }));
  }

  survivalCounts(filter: ReportFilter, groupBy: GroupBy, endpoint: SurvivalEndpoint) {
    return this.run<{ key: string; day: number; events: number; censored: number }>(
      OUTCOME_STATEMENTS.survivalCounts(filter, groupBy, endpoint),
    );
  }

  // Evaluable cases and events at a fixed horizon, per surgeon, with the evaluable cases by consent state.
  async horizonBySurgeon(filter: ReportFilter, outcome: HorizonOutcome) {
    const rows = await this.run<Record<string, any>>(OUTCOME_STATEMENTS.horizonBySurgeon(filter, outcome));
    return rows.map((row) => ({
      surgeon_id: row.surgeon_id as string,
      cases: row.cases as number,
      events: row.events as number,
      byConsent: consentCounts(row),
    }));
  }

  // One surgeon's evaluable cases in surgery-date order (then registry code), with the outcome.
  horizonSeries(filter: ReportFilter, outcome: HorizonOutcome) {
    return this.run<{ case_id: string; registry_code: string; surgery_date: string; consent: Consent; event: boolean }>(
      OUTCOME_STATEMENTS.horizonSeries(filter, outcome),
    );
  }
}
