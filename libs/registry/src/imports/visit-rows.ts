import { Injectable } from '@nestjs/common';
import { checkVisitRules, daysBetween, deriveTimepoint, ITEM_RULES } from '@ilr/clinical';
import { type CaseEntity, type FollowUpEntity, FollowUpRepository, CaseRepository } from '@ilr/persistence';
import { creationChanges } from '../audit/audit.service.js';
import { CreateFollowUpRequest } from '../follow-ups/dto/follow-up.dto.js';
import { promRows } from '../follow-ups/follow-up.mapper.js';
import { VISIT_FIELDS } from '../follow-ups/follow-ups.service.js';
import { CaseReferences, caseNotFound, type CaseReference, casesOfRows } from './case-reference.js';
import { columnOfPath } from './import-cells.js';
import { IMPORT_COLUMNS } from './import-columns.js';
import {
  type BatchOutcome,
  canonical,
  completeProms,
  conflict,
  type DatasetImporter,
  fingerprint,
  type ImportContext,
  outcomeOf,
  type Prepared,
  type RawRow,
  repeatsEarlierLine,
  rowErrorsOf,
} from './import-rows.js';

// The list instruments (mHHS answers are named, not listed).
const ITEM_LENGTHS = Object.fromEntries(
  Object.entries(ITEM_RULES)
    .filter(([i]) => i !== 'mhhs')
    .map(([i, r]) => [i, r.items]),
);

interface VisitRow {
  line: number;
  request: CreateFollowUpRequest;
  reference: CaseReference;
  followUpId?: string;
}

// What a visit holds, for comparing a row with a stored visit: its fields and each instrument's items.
function visitValues(fields: Record<string, unknown>, proms: Record<string, unknown>) {
  return {
    ...Object.fromEntries(VISIT_FIELDS.map((f) => [f, fields[f] ?? null])),
    proms: Object.fromEntries(Object.entries(proms).filter(([, items]) => items !== null)),
  };
}

// Visit rows: each as the body of POST /cases/:id/follow-ups, checked by the same DTO and visit rules
// and scored by the same code. A visit is the same visit when its case and visit date are (or when
// the file's followUpId names it).
@Injectable()
export class VisitRows implements DatasetImporter<VisitRow> {
  readonly dataset = 'follow-ups' as const;

  constructor(
    private readonly references: CaseReferences,
    private readonly cases: CaseRepository,
    private readonly visits: FollowUpRepository,
  ) {}

  prepare(_context: Pick<ImportContext, 'job' | 'today'>, rows: RawRow[]): Promise<Prepared<VisitRow>> {
    return this.references.prepareRows(this.dataset, rows, {
      dto: CreateFollowUpRequest,
      idColumn: 'followUpId',
      shape: (body) => completeProms(body, ITEM_LENGTHS),
      make: (line, request, reference, followUpId) => ({ line, request, reference, followUpId }),
    });
  }

  async apply(context: ImportContext, prepared: Prepared<VisitRow>): Promise<BatchOutcome> {
    const outcome = outcomeOf(prepared);
    const checked = prepared.rows;
    const { caseOf, caseIds } = await casesOfRows(
      this.references,
      this.cases,
      checked,
      context.manager,
      context.write !== null,
    );
    const stored = await this.visits.liveForCases(caseIds, context.manager);
    const storedProms = await this.visits.promsOf(
      stored.map((v) => v.id),
      context.manager,
    );

    const fresh: Array<{ row: VisitRow; theCase: CaseEntity }> = [];
    for (const row of checked) {
      const theCase = caseOf(row);
      if (!theCase) {
        outcome.invalid++;
        outcome.errors.push(caseNotFound(row.line, row.reference));
        continue;
      }
      const ruleErrors = checkVisitRules(row.request, { surgeryDate: theCase.surgeryDate, today: context.today });
      if (ruleErrors.length) {
        outcome.invalid++;
        outcome.errors.push(...rowErrorsOf(this.dataset, row.line, ruleErrors));
        continue;
      }
      const given = visitValues(
        row.request as unknown as Record<string, unknown>,
        Object.fromEntries(Object.entries(promRows(row.request.proms)).map(([i, r]) => [i, r?.items ?? null])),
      );
      const key = `visit:${theCase.id}:${row.request.visitDate}`;
      const print = fingerprint(given);
      if (repeatsEarlierLine(context, outcome, { key, line: row.line, fingerprint: print, what: 'visit' })) continue;
      context.seen.set(key, row.line, print);
      const candidates = stored.filter((v) =>
        row.followUpId && stored.some((s) => s.id === row.followUpId)
          ? v.id === row.followUpId
          : v.caseId === theCase.id && v.visitDate === row.request.visitDate,
      );
      if (candidates.length === 0) {
        fresh.push({ row, theCase });
        continue;
      }
      const same = candidates.some((visit) => canonical(this.storedValues(visit, storedProms)) === canonical(given));
      if (same) outcome.unchanged++;
      else {
        outcome.conflicts++;
        const differing = this.differingColumns(candidates[0], storedProms, given);
        outcome.errors.push(
          ...differing.map((column) =>
            conflict(row.line, column, `${column} differs from the registered visit of this case on this date`),
          ),
        );
      }
    }
    outcome.created = fresh.length;
    if (context.write && fresh.length) await this.write(context, fresh);
    return outcome;
  }

  private storedValues(visit: FollowUpEntity, proms: Array<{ followUpId: string; instrument: string; items: object }>) {
    return visitValues(
      visit as unknown as Record<string, unknown>,
      Object.fromEntries(proms.filter((p) => p.followUpId === visit.id).map((p) => [p.instrument, p.items])),
    );
  }

  private differingColumns(
    visit: FollowUpEntity,
    proms: Array<{ followUpId: string; instrument: string; items: object }>,
    given: ReturnType<typeof visitValues>,
  ): string[] {
    const stored = this.storedValues(visit, proms);
    const columns: string[] = VISIT_FIELDS.filter(
      (f) => canonical((stored as Record<string, unknown>)[f]) !== canonical((given as Record<string, unknown>)[f]),
    );
    const instruments = new Set([...Object.keys(stored.proms), ...Object.keys(given.proms)]);
    for (const instrument of instruments) {
      if (canonical(stored.proms[instrument]) !== canonical(given.proms[instrument]))
        columns.push(columnOfPath(IMPORT_COLUMNS['follow-ups'], `proms.${instrument}`) ?? instrument);
    }
    return columns.length ? columns : ['visitDate'];
  }

  private async write(context: ImportContext, rows: Array<{ row: VisitRow; theCase: CaseEntity }>) {
    const tx = context.write!;
    const entities = await this.visits.insertMany(
      tx.manager,
      rows.map(({ row, theCase }) => ({
        caseId: theCase.id,
        visitDate: row.request.visitDate,
        day: daysBetween(theCase.surgeryDate, row.request.visitDate),
        timepoint: deriveTimepoint(theCase.surgeryDate, row.request.visitDate),
        contactMode: row.request.contactMode,
        snapping: row.request.snapping ?? null,
        groinPain: row.request.groinPain ?? null,
        hipFlexionStrength: row.request.hipFlexionStrength ?? null,
        returnedToSport: row.request.returnedToSport ?? null,
        satisfaction: row.request.satisfaction ?? null,
        createdBy: context.auth.user.id,
      })),
    );
    const promInserts = entities.flatMap((visit, i) =>
      Object.values(promRows(rows[i].row.request.proms))
        .filter((p) => p !== null)
        .map((p) => ({ ...p!, followUpId: visit.id })),
    );
    await this.visits.insertProms(tx.manager, promInserts);
    entities.forEach((visit, i) => {
      const proms = promInserts.filter((p) => p.followUpId === visit.id);
      tx.audit({
        action: 'create',
        entity: 'follow_up',
        entityId: visit.id,
        caseId: visit.caseId,
        changes: [
          ...creationChanges(Object.fromEntries(VISIT_FIELDS.map((f) => [f, visit[f]]))),
          { field: 'timepoint', from: null, to: visit.timepoint },
          ...proms.map((p) => ({ field: `proms.${p.instrument}`, from: null, to: p.items })),
        ],
        details: { importId: context.job.id, line: rows[i].row.line },
      });
    });
  }
}
