import { Injectable } from '@nestjs/common';
import { checkComplicationRules, type ComplicationData } from '@ilr/clinical';
import { type CaseEntity, CaseRepository, ComplicationRepository } from '@ilr/persistence';
import { creationChanges } from '../audit/audit.service.js';
import { complicationColumns, complicationData } from '../complications/complication.mapper.js';
import { CreateComplicationRequest } from '../complications/dto/complication.dto.js';
import { CaseReferences, caseNotFound, type CaseReference, casesOfRows } from './case-reference.js';
import { IMPORT_COLUMNS } from './import-columns.js';
import {
  type BatchOutcome,
  canonical,
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

interface ComplicationRow {
  line: number;
  data: ComplicationData;
  reference: CaseReference;
  complicationId?: string;
}

// What a row and a stored complication are compared on: the clinical fields, without the visit link
// (which no file carries).
function compared(data: ComplicationData) {
  const { followUpId: _visit, ...rest } = { ...complicationColumns(data) };
  return rest;
}

const COLUMN_OF: Record<string, string> = {
  reoperationDate: 'reoperationDate',
  reoperationProcedure: 'reoperationProcedure',
};

// Complication rows: each as the body of POST /cases/:id/complications, checked by the same DTO and
// rules. A complication is the same when its case, type and onset date are (or the file's
// complicationId names it).
@Injectable()
export class ComplicationRows implements DatasetImporter<ComplicationRow> {
  readonly dataset = 'complications' as const;

  constructor(
    private readonly references: CaseReferences,
    private readonly cases: CaseRepository,
    private readonly complications: ComplicationRepository,
  ) {}

  prepare(_context: Pick<ImportContext, 'job' | 'today'>, rows: RawRow[]): Promise<Prepared<ComplicationRow>> {
    return this.references.prepareRows(this.dataset, rows, {
      dto: CreateComplicationRequest,
      idColumn: 'complicationId',
      make: (line, value, reference, complicationId) => ({
        line,
        data: { ...value, reoperation: value.reoperation ?? null },
        reference,
        complicationId,
      }),
    });
  }

  async apply(context: ImportContext, prepared: Prepared<ComplicationRow>): Promise<BatchOutcome> {
    const outcome = outcomeOf(prepared);
    const checked = prepared.rows;
    const { caseOf, caseIds } = await casesOfRows(
      this.references,
      this.cases,
      checked,
      context.manager,
      context.write !== null,
    );
    const stored = await this.complications.liveForCases(caseIds, context.manager);

    const fresh: Array<{ row: ComplicationRow; theCase: CaseEntity }> = [];
    for (const row of checked) {
      const theCase = caseOf(row);
      if (!theCase) {
        outcome.invalid++;
        outcome.errors.push(caseNotFound(row.line, row.reference));
        continue;
      }
      const ruleErrors = checkComplicationRules(row.data, {
        surgeryDate: theCase.surgeryDate,
        today: context.today,
        caseId: theCase.id,
        followUpCaseId: null,
      });
      if (ruleErrors.length) {
        outcome.invalid++;
        outcome.errors.push(...rowErrorsOf(this.dataset, row.line, ruleErrors));
        continue;
      }
      const given = compared(row.data);
      const key = `complication:${theCase.id}:${row.data.type}:${row.data.onsetDate}`;
      const print = fingerprint(given);
      if (repeatsEarlierLine(context, outcome, { key, line: row.line, fingerprint: print, what: 'complication' }))
        continue;
      context.seen.set(key, row.line, print);
      const byId = row.complicationId ? stored.find((k) => k.id === row.complicationId) : undefined;
      const candidates = byId
        ? [byId]
        : stored.filter(
            (k) => k.caseId === theCase.id && k.type === row.data.type && k.onsetDate === row.data.onsetDate,
          );
      if (candidates.length === 0) {
        fresh.push({ row, theCase });
        continue;
      }
      const storedValues = candidates.map((k) => compared(complicationData(k)));
      if (storedValues.some((v) => canonical(v) === canonical(given))) {
        outcome.unchanged++;
        continue;
      }
      outcome.conflicts++;
      const first = storedValues[0] as Record<string, unknown>;
      const differing = Object.keys(given).filter(
        (f) => canonical(first[f]) !== canonical((given as Record<string, unknown>)[f]),
      );
      outcome.errors.push(
        ...differing.map((field) => {
          const column = COLUMN_OF[field] ?? IMPORT_COLUMNS.complications.find((c) => c.name === field)?.name ?? field;
          return conflict(row.line, column, `${column} differs from the registered complication of this case`);
        }),
      );
    }
    outcome.created = fresh.length;
    if (context.write && fresh.length) await this.write(context, fresh);
    return outcome;
  }

  private async write(context: ImportContext, rows: Array<{ row: ComplicationRow; theCase: CaseEntity }>) {
    const tx = context.write!;
    const entities = await this.complications.insertMany(
      tx.manager,
      rows.map(({ row, theCase }) => ({
        ...complicationColumns(row.data),
        caseId: theCase.id,
        createdBy: context.auth.user.id,
      })),
    );
    entities.forEach((entity, i) =>
      tx.audit({
        action: 'create',
        entity: 'complication',
        entityId: entity.id,
        caseId: entity.caseId,
        changes: creationChanges({ ...complicationData(entity) }),
        details: { importId: context.job.id, line: rows[i].row.line },
      }),
    );
  }
}
