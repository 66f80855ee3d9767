import { Injectable } from '@nestjs/common';
import { type CaseEntity, CaseRepository, type ImportDataset, PatientRepository } from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import { MrnCipher } from '../patients/mrn-cipher.js';
import type { RowError } from './import-cells.js';
import { validateBody } from '../common/validate-body.js';
import { bodyOf, nextTurn, type Prepared, type RawRow, ROWS_PER_TURN, rowErrorsOf, valueOf } from './import-rows.js';

// How a visit or complication row names its case: by registry code, or by the natural key of a case
// (its patient's MRN, the side and the surgery date).
export type CaseReference = { registryCode: string } | { mrnHash: string; side: string; surgeryDate: string };

@Injectable()
export class CaseReferences {
  constructor(
    private readonly cases: CaseRepository,
    private readonly patients: PatientRepository,
    private readonly cipher: MrnCipher,
  ) {}

  // The reference a row gives, or a row error.
  read(dataset: ImportDataset, row: RawRow, errors: RowError[]): CaseReference | undefined {
    const registryCode = (valueOf(dataset, row, 'registryCode', errors) as string | undefined)?.trim();
    if (registryCode) return { registryCode };
    const mrn = valueOf(dataset, row, 'mrn', errors) as string | undefined;
    const side = valueOf(dataset, row, 'side', errors) as string | undefined;
    const surgeryDate = valueOf(dataset, row, 'surgeryDate', errors) as string | undefined;
    if (mrn?.trim() && side && surgeryDate) return { mrnHash: this.cipher.hash(mrn), side, surgeryDate };
    errors.push({
      line: row.line,
      column: 'registryCode',
      code: 'required',
      message: 'registryCode (or mrn, side and surgeryDate) is required to name the case',
    });
    return undefined;
  }

  // The rows of a visit or complication file checked on their own: the case they name, the record id the
  // file may carry (`idColumn`), the cells and the request DTO; `shape` completes the body before it is
  // validated, `make` builds the checked row.
  async prepareRows<T extends object, R>(
    dataset: 'follow-ups' | 'complications',
    rows: RawRow[],
    options: {
      dto: new () => T;
      idColumn: string;
      shape?: (body: Record<string, unknown>) => void;
      make: (line: number, value: T, reference: CaseReference, id: string | undefined) => R;
    },
  ): Promise<Prepared<R>> {
    const prepared: Prepared<R> = { invalid: 0, errors: [], rows: [] };
    for (const [i, row] of rows.entries()) {
      if (i % ROWS_PER_TURN === ROWS_PER_TURN - 1) await nextTurn();
      const errors: RowError[] = [];
      const reference = this.read(dataset, row, errors);
      const id = (valueOf(dataset, row, options.idColumn, errors) as string | undefined)?.trim();
      const { body, errors: cellErrors } = bodyOf(dataset, row);
      options.shape?.(body);
      errors.push(...cellErrors);
      const { value, errors: fieldErrors } = validateBody(options.dto, body);
      errors.push(...rowErrorsOf(dataset, row.line, fieldErrors, errors));
      if (errors.length || !reference) {
        prepared.invalid++;
        prepared.errors.push(...errors);
      } else prepared.rows.push(options.make(row.line, value, reference, id));
    }
    return prepared;
  }

  // The live cases these references name, found in two queries; `resolve` then answers per reference.
  async lookUp(
    references: CaseReference[],
    manager: EntityManager,
  ): Promise<(reference: CaseReference) => CaseEntity | undefined> {
    const codes = references.flatMap((r) => ('registryCode' in r ? [r.registryCode] : []));
    const hashes = references.flatMap((r) => ('mrnHash' in r ? [r.mrnHash] : []));
    const patients = new Map(
      (await this.patients.findByMrnHashes([...new Set(hashes)], manager)).map((p) => [p.mrnHash, p.id]),
    );
    const cases = await this.cases.findLiveByCodesOrPatients([...new Set(codes)], [...patients.values()], manager);
    const byCode = new Map(cases.map((c) => [c.registryCode, c]));
    return (reference) => {
      if ('registryCode' in reference) return byCode.get(reference.registryCode);
      const patientId = patients.get(reference.mrnHash);
      return cases.find(
        (c) => c.patientId === patientId && c.side === reference.side && c.surgeryDate === reference.surgeryDate,
      );
    };
  }
}

// The live case each row names (absent: none, or deleted), the cases locked when the batch writes (as
// every visit and complication write locks its case first: a surgery date cannot move under them).
export async function casesOfRows<R extends { reference: CaseReference }>(
  references: CaseReferences,
  cases: CaseRepository,
  rows: R[],
  manager: EntityManager,
  writing: boolean,
): Promise<{ caseOf: (row: R) => CaseEntity | undefined; caseIds: string[] }> {
  const lookUp = await references.lookUp(
    rows.map((r) => r.reference),
    manager,
  );
  const found = new Map<R, CaseEntity>();
  for (const row of rows) {
    const theCase = lookUp(row.reference);
    if (theCase) found.set(row, theCase);
  }
  const caseIds = [...new Set([...found.values()].map((c) => c.id))];
  const live = writing ? await cases.lockLive(manager, caseIds) : new Set(caseIds);
  return {
    caseOf: (row) => {
      const theCase = found.get(row);
      return theCase && live.has(theCase.id) ? theCase : undefined;
    },
    caseIds: caseIds.filter((id) => live.has(id)),
  };
}

export function caseNotFound(line: number, reference: CaseReference): RowError {
  return 'registryCode' in reference
    ? { line, column: 'registryCode', code: 'case_not_found', message: 'registryCode names no case of the registry' }
    : {
        line,
        column: 'mrn',
        code: 'case_not_found',
        message: 'mrn, side and surgeryDate name no case of the registry',
      };
}
