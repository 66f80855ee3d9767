import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { COMPLICATION_TYPE, SCHEDULED_TIMEPOINTS } from '@ilr/clinical';
import { factColumn, FACT_INSTRUMENTS } from '../entities/case-facts.entity.js';
import { windowsSql } from './report.repository.js';

// Recomputes the facts of the given cases (uuid[] in $1) from their live visits, PROM responses
// and complications, and upserts them: one set-based statement for one case or a seeded chunk.
export function refreshFactsSql(): string {
  const visitColumns = SCHEDULED_TIMEPOINTS.flatMap((t) => [
    `bool_or(p.timepoint = '${t}') AS ${factColumn.hasVisit(t)}`,
    `min(p.day) FILTER (WHERE p.timepoint = '${t}') AS ${factColumn.visitDay(t)}`,
    `min(p.snapping) FILTER (WHERE p.timepoint = '${t}') AS ${factColumn.snapping(t)}`,
    `min(p.groin_pain) FILTER (WHERE p.timepoint = '${t}') AS ${factColumn.groinPain(t)}`,
  ]);
  const scoreColumns = SCHEDULED_TIMEPOINTS.flatMap((t) =>
    FACT_INSTRUMENTS.map(
      (i) => `min(r.score) FILTER (WHERE p.timepoint = '${t}' AND r.instrument = '${i}') AS ${factColumn.score(i, t)}`,
    ),
  );
  const typeColumns = COMPLICATION_TYPE.codes.map(
    (type) => `coalesce(bool_or(k.type = '${type}'), false) AS ${factColumn.hasComplication(type)}`,
  );
  const visitNames = SCHEDULED_TIMEPOINTS.flatMap((t) => [
    factColumn.hasVisit(t),
    factColumn.visitDay(t),
    factColumn.snapping(t),
    factColumn.groinPain(t),
  ]);
  const scoreNames = SCHEDULED_TIMEPOINTS.flatMap((t) => FACT_INSTRUMENTS.map((i) => factColumn.score(i, t)));
  const typeNames = COMPLICATION_TYPE.codes.map((type) => factColumn.hasComplication(type));
  const all = [
    'first_complication_day',
    'recurrence_day',
    'reoperation_day',
    'conversion_day',
    'last_contact_day',
    'max_brooker_grade',
    ...visitNames,
    ...scoreNames,
    ...typeNames,
  ];
  return `
    WITH sel AS (SELECT c.id, c.surgery_date, p.deceased_date FROM cases c JOIN patients p ON p.id = c.patient_id WHERE c.id = ANY($1::uuid[])),
    w(timepoint, from_day, to_day, target) AS (VALUES ${windowsSql()}),
    picked AS (
      SELECT DISTINCT ON (f.case_id, f.timepoint) f.case_id, f.timepoint, f.id, f.day, f.snapping, f.groin_pain
      FROM follow_ups f JOIN sel ON sel.id = f.case_id JOIN w ON w.timepoint = f.timepoint
      WHERE f.deleted_at IS NULL
      ORDER BY f.case_id, f.timepoint, abs(f.day - w.target), f.day
    ),
    vis AS (SELECT p.case_id, ${visitColumns.join(', ')} FROM picked p GROUP BY p.case_id),
    sc AS (SELECT p.case_id, ${scoreColumns.join(', ')} FROM picked p JOIN prom_responses r ON r.follow_up_id = p.id GROUP BY p.case_id),
    last_visit AS (SELECT f.case_id, max(f.visit_date) AS last_visit FROM follow_ups f JOIN sel ON sel.id = f.case_id WHERE f.deleted_at IS NULL GROUP BY f.case_id),
    co AS (
      SELECT sel.id AS case_id, ${typeColumns.join(', ')},
             max(k.brooker_grade) AS max_brooker_grade,
             min(k.onset_date) - sel.surgery_date AS first_complication_day,
             min(k.onset_date) FILTER (WHERE k.type = 'recurrent_snapping') - sel.surgery_date AS recurrence_day,
             min(k.reoperation_date) - sel.surgery_date AS reoperation_day,
             min(k.reoperation_date) FILTER (WHERE k.type = 'conversion_to_arthroplasty') - sel.surgery_date AS conversion_day,
             max(GREATEST(k.onset_date, k.resolved_date, k.reoperation_date)) AS last_date
      FROM sel LEFT JOIN complications k ON k.case_id = sel.id AND k.deleted_at IS NULL
      GROUP BY sel.id, sel.surgery_date
    )
    INSERT INTO case_facts (case_id, ${all.join(', ')})
    SELECT sel.id, co.first_complication_day, co.recurrence_day, co.reoperation_day, co.conversion_day,
           GREATEST(0, GREATEST(last_visit.last_visit, co.last_date, sel.deceased_date) - sel.surgery_date),
           co.max_brooker_grade,
           ${visitNames.map((n) => (n.startsWith('has_visit') ? `coalesce(vis.${n}, false)` : `vis.${n}`)).join(', ')},
           ${scoreNames.map((n) => `sc.${n}`).join(', ')},
           ${typeNames.map((n) => `co.${n}`).join(', ')}
    FROM sel
    JOIN co ON co.case_id = sel.id
    LEFT JOIN vis ON vis.case_id = sel.id
    LEFT JOIN sc ON sc.case_id = sel.id
    LEFT JOIN last_visit ON last_visit.case_id = sel.id
    ON CONFLICT (case_id) DO UPDATE SET ${all.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}`;
}

const REFRESH_SQL = refreshFactsSql();

type PreparedClient = { query(config: { name: string; text: string; values: unknown[] }): Promise<unknown> };

@Injectable()
export class CaseFactsRepository {
  // A new case has no visits or complications yet: its facts are the defaults, and the last
  // contact is its patient's death if that is recorded (else the day of surgery).
  async initialise(manager: EntityManager, caseIds: string[]): Promise<void> {
    await manager.query(
      `INSERT INTO case_facts (case_id, last_contact_day)
       SELECT c.id, GREATEST(0, coalesce(p.deceased_date - c.surgery_date, 0))
       FROM cases c JOIN patients p ON p.id = c.patient_id WHERE c.id = ANY($1::uuid[])`,
      [caseIds],
    );
  }

  // Inside the caller's transaction, after its writes: the facts commit with the change. Run as a
  // named prepared statement, so each connection plans this large statement once, not per write.
  async refresh(manager: EntityManager, caseIds: string[]): Promise<void> {
    if (caseIds.length === 0) return;
    const client = (manager.queryRunner as unknown as { databaseConnection?: PreparedClient } | undefined)
      ?.databaseConnection;
    if (client) await client.query({ name: 'ilr_refresh_case_facts', text: REFRESH_SQL, values: [caseIds] });
    else await manager.query(REFRESH_SQL, [caseIds]);
  }

  async refreshForPatient(manager: EntityManager, patientId: string): Promise<void> {
    // Locks the cases first, as every other writer does, so that a concurrent visit or complication
    // write cannot commit facts this refresh would then overwrite with an older view.
    const rows: Array<{ id: string }> = await manager.query(
      'SELECT id FROM cases WHERE patient_id = $1 ORDER BY id FOR UPDATE',
      [patientId],
    );
    await this.refresh(
      manager,
      rows.map((r) => r.id),
    );
  }
}
