import { Injectable } from '@nestjs/common';
import { addDays, CASE_STATUS, type CaseData, type CaseStatus } from '@ilr/clinical';
import { CaseRepository, type PatientEntity, PatientRepository, UserRepository } from '@ilr/persistence';
import { creationChanges } from '../audit/audit.service.js';
import { caseColumnsFromData, caseDataFromEntity, caseDataFromRequest, diffCaseData } from '../cases/case.mapper.js';
import { CasesService } from '../cases/cases.service.js';
import { CreateCaseRequest } from '../cases/dto/case.dto.js';
import { validateBody } from '../common/validate-body.js';
import { CreatePatientRequest } from '../patients/dto/patient.dto.js';
import { MrnCipher } from '../patients/mrn-cipher.js';
import { PatientsService } from '../patients/patients.service.js';
import type { RowError } from './import-cells.js';
import { IMPORT_COLUMNS } from './import-columns.js';
import {
  type BatchOutcome,
  bodyOf,
  conflict,
  type DatasetImporter,
  fingerprint,
  type ImportContext,
  nextTurn,
  outcomeOf,
  type Prepared,
  ROWS_PER_TURN,
  type RawRow,
  repeatsEarlierLine,
  rowErrorsOf,
  valueOf,
} from './import-rows.js';

const REGISTRY_CODE = /^ILR-(\d{6,})$/;

// The columns of a case row that hold its patient, for a conflict's message.
const PATIENT_COLUMNS = { birthDate: 'birthDate', sex: 'sex', consent: 'consent', deceasedDate: 'deceasedDate' };

// A row checked and ready: its case (CaseData, as POST /cases would store it), its patient and surgeon.
interface CaseRow {
  line: number;
  data: CaseData;
  patient: CreatePatientRequest & { mrnHash: string };
  surgeonId: string;
  status: CaseStatus;
  registryCode?: string;
  key: string;
  fingerprint: string;
}

// The column a difference in CaseData is reported under (`release.location` → releaseLocation).
function columnOfField(field: string): string {
  const path = field.replace(/\[\d+\]$/, '');
  return IMPORT_COLUMNS.cases.find((c) => c.path === path)?.name ?? path;
}

// Case rows: each as the body of POST /cases with its inline patient, checked by the same DTOs and
// rules (CasesService.ruleErrors, PatientsService.patientDateErrors); a case is the same case when
// its patient's MRN, side and surgery date are (the natural key), or when the file's registry code names it.
@Injectable()
export class CaseRows implements DatasetImporter<CaseRow> {
  readonly dataset = 'cases' as const;

  constructor(
    private readonly casesService: CasesService,
    private readonly patientsService: PatientsService,
    private readonly cases: CaseRepository,
    private readonly patients: PatientRepository,
    private readonly users: UserRepository,
    private readonly cipher: MrnCipher,
  ) {}

  async prepare(context: Pick<ImportContext, 'job' | 'today'>, rows: RawRow[]): Promise<Prepared<CaseRow>> {
    const prepared: Prepared<CaseRow> = { invalid: 0, errors: [], rows: [] };
    const emails = [
      ...new Set(rows.map((r) => r.cells.surgeonEmail?.trim().toLowerCase()).filter((e): e is string => !!e)),
    ];
    const surgeons = await this.users.activeSurgeonsByEmail(emails);
    for (const [i, row] of rows.entries()) {
      if (i % ROWS_PER_TURN === ROWS_PER_TURN - 1) await nextTurn();
      const result = this.check(context, row, surgeons);
      if ('errors' in result) {
        prepared.invalid++;
        prepared.errors.push(...result.errors);
      } else prepared.rows.push(result);
    }
    return prepared;
  }

  async apply(context: ImportContext, prepared: Prepared<CaseRow>): Promise<BatchOutcome> {
    const outcome = outcomeOf(prepared);
    const checked = prepared.rows;

    // The stored patients and cases these rows may repeat, in two queries.
    const registered = new Map(
      (await this.patients.findByMrnHashes([...new Set(checked.map((r) => r.patient.mrnHash))], context.manager)).map(
        (p) => [p.mrnHash, p],
      ),
    );
    const codes = checked.map((r) => r.registryCode).filter((c): c is string => !!c);
    const stored = await this.cases.findLiveByCodesOrPatients(
      codes,
      [...registered.values()].map((p) => p.id),
      context.manager,
    );
    const taken = await this.cases.takenRegistryCodes(codes, context.manager);

    const fresh: CaseRow[] = [];
    for (const row of checked) {
      if (repeatsEarlierLine(context, outcome, { ...row, what: 'case' })) continue;
      // A patient named again (a bilateral case) must be the same patient.
      const patientSeen = context.seen.get(`patient:${row.patient.mrnHash}`);
      const patient = registered.get(row.patient.mrnHash);
      const patientErrors = patient
        ? this.patientDifferences(row, patient)
        : patientSeen && patientSeen.fingerprint !== fingerprint(this.patientValues(row))
          ? [conflict(row.line, 'birthDate', `the patient's details differ from line ${patientSeen.line}`)]
          : [];
      if (patientErrors.length) {
        outcome.conflicts++;
        outcome.errors.push(...patientErrors);
        continue;
      }
      const byCode = row.registryCode ? stored.find((c) => c.registryCode === row.registryCode) : undefined;
      const byKey = patient
        ? stored.find(
            (c) => c.patientId === patient.id && c.side === row.data.side && c.surgeryDate === row.data.surgeryDate,
          )
        : undefined;
      if (byCode && byCode !== byKey) {
        outcome.conflicts++;
        outcome.errors.push(
          conflict(row.line, 'registryCode', 'registryCode names a case with another patient, side or surgery date'),
        );
        continue;
      }
      if (byKey) {
        const differences = this.caseDifferences(row, byKey);
        if (row.registryCode && row.registryCode !== byKey.registryCode) differences.unshift('registryCode');
        if (differences.length === 0) outcome.unchanged++;
        else {
          outcome.conflicts++;
          outcome.errors.push(
            ...differences.map((column) =>
              conflict(
                row.line,
                column,
                `${column} differs from the registered case (same MRN, side and surgery date)`,
              ),
            ),
          );
        }
        context.seen.set(row.key, row.line, row.fingerprint);
        continue;
      }
      if (row.registryCode && taken.has(row.registryCode)) {
        outcome.conflicts++;
        outcome.errors.push(conflict(row.line, 'registryCode', 'registryCode is already given to another case'));
        continue;
      }
      if (row.registryCode && context.seen.get(`code:${row.registryCode}`)) {
        outcome.conflicts++;
        outcome.errors.push(
          conflict(row.line, 'registryCode', 'registryCode is given to another case earlier in the file'),
        );
        continue;
      }
      context.seen.set(row.key, row.line, row.fingerprint);
      if (row.registryCode) context.seen.set(`code:${row.registryCode}`, row.line, '0:0');
      if (!patient && !patientSeen)
        context.seen.set(`patient:${row.patient.mrnHash}`, row.line, fingerprint(this.patientValues(row)));
      fresh.push(row);
    }
    outcome.created = fresh.length;
    if (context.write && fresh.length) await this.write(context, fresh, registered);
    return outcome;
  }

  private patientValues(row: CaseRow) {
    const { birthDate, sex, consent, deceasedDate } = row.patient;
    return { birthDate, sex, consent: consent ?? null, deceasedDate: deceasedDate ?? null };
  }

  private patientDifferences(row: CaseRow, patient: PatientEntity): RowError[] {
    const differs: string[] = [];
    if (patient.birthDate !== row.patient.birthDate) differs.push(PATIENT_COLUMNS.birthDate);
    if (patient.sex !== row.patient.sex) differs.push(PATIENT_COLUMNS.sex);
    if (row.patient.consent && patient.consent !== row.patient.consent) differs.push(PATIENT_COLUMNS.consent);
    if (row.patient.deceasedDate && patient.deceasedDate !== row.patient.deceasedDate)
      differs.push(PATIENT_COLUMNS.deceasedDate);
    return differs.map((column) =>
      conflict(row.line, column, `${column} differs from the registered patient with this MRN`),
    );
  }

  private caseDifferences(row: CaseRow, stored: Parameters<typeof caseDataFromEntity>[0]): string[] {
    const columns = diffCaseData(caseDataFromEntity(stored), row.data).map((change) => columnOfField(change.field));
    if (stored.surgeonId !== row.surgeonId) columns.push('surgeonEmail');
    if (stored.status !== row.status) columns.push('status');
    return [...new Set(columns)];
  }

  private check(
    context: Pick<ImportContext, 'job' | 'today'>,
    row: RawRow,
    surgeons: Map<string, string>,
  ): CaseRow | { errors: RowError[] } {
    const { body, errors } = bodyOf('cases', row);
    const status = (valueOf('cases', row, 'status', errors) as string | undefined) ?? 'draft';
    const registryCode = valueOf('cases', row, 'registryCode', errors) as string | undefined;
    const deceasedDay = valueOf('cases', row, 'deceasedDay', errors) as number | undefined;
    const deceasedDate = valueOf('cases', row, 'deceasedDate', errors) as string | undefined;
    const email = (valueOf('cases', row, 'surgeonEmail', errors) as string | undefined)?.trim().toLowerCase();

    if (!CASE_STATUS.codes.includes(status as CaseStatus))
      errors.push({
        line: row.line,
        column: 'status',
        code: 'invalid_code',
        message: 'status must be draft or signed',
      });
    if (registryCode !== undefined && !REGISTRY_CODE.test(registryCode.trim()))
      errors.push({
        line: row.line,
        column: 'registryCode',
        code: 'invalid_format',
        message: 'registryCode must look like ILR-000123',
      });
    const surgeonId = email ? surgeons.get(email) : (context.job.surgeonId ?? undefined);
    if (!surgeonId)
      errors.push({
        line: row.line,
        column: 'surgeonEmail',
        code: email ? 'not_a_surgeon' : 'required',
        message: email
          ? 'surgeonEmail must name an active surgeon of the registry'
          : 'surgeonEmail is required when the import names no surgeon (surgeonId)',
      });

    const { patient: patientBody = {}, ...caseBody } = body as { patient?: Record<string, unknown> };
    const patientInput = { ...patientBody } as Record<string, unknown>;
    const caseCheck = validateBody(CreateCaseRequest, caseBody);
    const patientCheck = validateBody(CreatePatientRequest, patientInput);
    errors.push(
      ...rowErrorsOf('cases', row.line, caseCheck.errors, errors),
      ...rowErrorsOf(
        'cases',
        row.line,
        patientCheck.errors.map((e) => ({ ...e, field: `patient.${e.field}` })),
        errors,
      ),
    );
    if (errors.length) return { errors };

    const data = caseDataFromRequest(caseCheck.value);
    const patient = patientCheck.value;
    const death =
      deceasedDate ?? (deceasedDay !== undefined ? addDays(data.surgeryDate, deceasedDay) : undefined) ?? null;
    const patientFull = { ...patient, deceasedDate: death, mrnHash: this.cipher.hash(patient.mrn) };
    const ruleErrors = [
      ...this.patientsService.patientDateErrors(patientFull, context.today, 'patient.'),
      ...this.casesService.ruleErrors(data, patientFull, 'patient.birthDate', context.today),
    ];
    if (ruleErrors.length) return { errors: rowErrorsOf('cases', row.line, ruleErrors) };
    const values = { data, patient: { ...patientFull, mrn: undefined }, surgeonId, status };
    return {
      line: row.line,
      data,
      patient: patientFull,
      surgeonId: surgeonId!,
      status: status as CaseStatus,
      registryCode: registryCode?.trim(),
      key: `case:${patientFull.mrnHash}:${data.side}:${data.surgeryDate}`,
      fingerprint: fingerprint(values),
    };
  }

  private async write(context: ImportContext, rows: CaseRow[], registered: Map<string, PatientEntity>) {
    const tx = context.write!;
    const { auth, job } = context;
    const details = (line: number) => ({ importId: job.id, line });
    // New patients, once each (a bilateral patient's second case links to the first's).
    const newPatients = new Map<string, CaseRow>();
    for (const row of rows) if (!registered.has(row.patient.mrnHash)) newPatients.set(row.patient.mrnHash, row);
    const inserted = await this.patients.insertManyUnlessMrnKnown(
      [...newPatients.values()].map((row) => ({
        mrnCiphertext: this.cipher.encrypt(row.patient.mrn),
        mrnHash: row.patient.mrnHash,
        birthDate: row.patient.birthDate,
        sex: row.patient.sex,
        consent: row.patient.consent ?? 'given',
        deceasedDate: row.patient.deceasedDate ?? null,
        createdBy: auth.user.id,
      })),
      tx.manager,
    );
    const patientOf = new Map(registered);
    for (const p of inserted) patientOf.set(p.mrnHash, p);
    // An MRN registered by a concurrent request since the look-up: linked to that patient.
    const missing = [...newPatients.keys()].filter((h) => !patientOf.has(h));
    for (const p of await this.patients.findByMrnHashes(missing, tx.manager)) patientOf.set(p.mrnHash, p);

    const generated = await this.cases.nextRegistryCodes(tx.manager, rows.filter((r) => !r.registryCode).length);
    const now = new Date();
    const entities = await this.cases.insertMany(
      tx.manager,
      rows.map((row) => ({
        ...caseColumnsFromData(row.data),
        registryCode: row.registryCode ?? generated.shift()!,
        patientId: patientOf.get(row.patient.mrnHash)!.id,
        surgeonId: row.surgeonId,
        createdBy: auth.user.id,
        status: row.status,
        signedAt: row.status === 'signed' ? now : null,
        signedBy: row.status === 'signed' ? auth.user.id : null,
      })),
    );
    const highest = Math.max(
      0,
      ...rows.map((r) => (r.registryCode ? Number(REGISTRY_CODE.exec(r.registryCode)![1]) : 0)),
    );
    if (highest > 0) await this.cases.advanceRegistryCodes(tx.manager, highest);

    const createdPatients = new Set(inserted.map((p) => p.mrnHash));
    entities.forEach((entity, i) => {
      const row = rows[i];
      const patient = patientOf.get(row.patient.mrnHash)!;
      if (createdPatients.delete(row.patient.mrnHash))
        tx.audit({
          ...this.patientsService.creationEvent(patient, row.patient.mrn, entity.id),
          details: details(row.line),
        });
      tx.audit({
        action: 'create',
        entity: 'case',
        entityId: entity.id,
        caseId: entity.id,
        changes: creationChanges({
          registryCode: entity.registryCode,
          patientId: patient.id,
          surgeonId: row.surgeonId,
          ...row.data,
        }),
        details: details(row.line),
      });
      if (row.status === 'signed')
        tx.audit({
          action: 'sign',
          entity: 'case',
          entityId: entity.id,
          caseId: entity.id,
          changes: [{ field: 'status', from: 'draft', to: 'signed' }],
          details: details(row.line),
        });
    });
  }
}
