import { Inject, Injectable } from '@nestjs/common';
import { ageInYears, todayIn } from '@ilr/clinical';
import {
  AccessRepository,
  CaseFactsRepository,
  CaseRepository,
  type PatientEntity,
  PatientRepository,
} from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import { type AuthContext, Permission, requireAccess, roleMay } from '../access/access.policy.js';
import { type AuditEventInput, AuditService, creationChanges } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode, type FieldError } from '../common/errors.js';
import { IdempotencyService } from '../common/idempotency.service.js';
import { assertIfMatch, etag, type HttpResult, type IdempotencyRequest } from '../common/preconditions.js';
import type { CreatePatientRequest, PatientInput, PatientResponse, UpdatePatientRequest } from './dto/patient.dto.js';
import { MrnCipher } from './mrn-cipher.js';

export function toPatientResponse(patient: PatientEntity, mrn: string | undefined): PatientResponse {
  return {
    id: patient.id,
    ...(mrn !== undefined ? { mrn, birthDate: patient.birthDate } : {}),
    sex: patient.sex,
    consent: patient.consent,
    deceasedDate: patient.deceasedDate,
    version: patient.version,
    createdAt: patient.createdAt.toISOString(),
    updatedAt: patient.updatedAt.toISOString(),
  };
}

@Injectable()
export class PatientsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly patients: PatientRepository,
    private readonly cases: CaseRepository,
    private readonly access: AccessRepository,
    private readonly cipher: MrnCipher,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly facts: CaseFactsRepository,
  ) {}

  today(): string {
    return todayIn(this.config.timeZone);
  }

  view(auth: AuthContext, patient: PatientEntity): PatientResponse {
    const identified = roleMay(auth.user.role, Permission.PatientReadIdentified);
    return toPatientResponse(patient, identified ? this.cipher.decrypt(patient.mrnCiphertext) : undefined);
  }

  // Date rules of a patient on their own (DOMAIN.md § Patient).
  patientDateErrors(values: { birthDate: string; deceasedDate?: string | null }, prefix = ''): FieldError[] {
    const errors: FieldError[] = [];
    const today = this.today();
    if (values.birthDate > today)
      errors.push({ field: `${prefix}birthDate`, code: 'in_future', message: 'birthDate must not be in the future' });
    if (values.deceasedDate) {
      if (values.deceasedDate > today)
        errors.push({
          field: `${prefix}deceasedDate`,
          code: 'in_future',
          message: 'deceasedDate must not be in the future',
        });
      if (values.deceasedDate < values.birthDate)
        errors.push({
          field: `${prefix}deceasedDate`,
          code: 'before_birth',
          message: 'deceasedDate must not be before birthDate',
        });
    }
    return errors;
  }

  mrnHash(mrn: string): string {
    return this.cipher.hash(mrn);
  }

  // Finds the patient with this MRN, or creates it, inside the caller's transaction; `created`
  // tells the caller to record the creation (creationEvent) with its own audit events.
  async findOrCreate(
    manager: EntityManager,
    input: PatientInput & { consent?: CreatePatientRequest['consent']; deceasedDate?: string | null },
  ): Promise<{ patient: PatientEntity; created: boolean }> {
    const mrnHash = this.cipher.hash(input.mrn);
    const known = await this.patients.findByMrnHash(mrnHash, manager);
    if (known) return { patient: known, created: false };
    const inserted = await this.patients.insertUnlessMrnKnown(
      {
        mrnCiphertext: this.cipher.encrypt(input.mrn),
        mrnHash,
        birthDate: input.birthDate,
        sex: input.sex,
        consent: input.consent ?? 'given',
        deceasedDate: input.deceasedDate ?? null,
      },
      manager,
    );
    if (inserted) return { patient: inserted, created: true };
    // Another request created this MRN between our look-up and insert: use theirs.
    return { patient: (await this.patients.findByMrnHash(mrnHash, manager))!, created: false };
  }

  creationEvent(patient: PatientEntity, mrn: string, caseId?: string): AuditEventInput {
    return {
      action: 'create',
      entity: 'patient',
      entityId: patient.id,
      caseId: caseId ?? null,
      changes: creationChanges({
        mrn,
        birthDate: patient.birthDate,
        sex: patient.sex,
        consent: patient.consent,
        deceasedDate: patient.deceasedDate,
      }),
    };
  }

  async create(
    auth: AuthContext,
    request: CreatePatientRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<HttpResult<PatientResponse>> {
    const errors = this.patientDateErrors(request);
    if (errors.length) throw DomainError.validation(errors);
    return this.cases.transaction((manager) =>
      this.idempotency.run(manager, auth, idempotency, async () => {
        const { patient, created } = await this.findOrCreate(manager, request);
        if (!created) {
          throw new DomainError(ErrorCode.Duplicate, 'A patient with this MRN is already registered.', {
            errors: [{ field: 'mrn', code: 'duplicate', message: 'mrn is already registered' }],
            extensions: { existingId: patient.id },
          });
        }
        await this.audit.record(manager, auth, this.creationEvent(patient, request.mrn));
        return {
          status: 201,
          body: this.view(auth, patient),
          headers: { Location: `/api/v1/patients/${patient.id}`, ETag: etag(patient.version) },
        };
      }),
    );
  }

  async get(auth: AuthContext, id: string): Promise<PatientEntity> {
    await requireAccess(this.access, auth, Permission.PatientRead, id, 'The patient');
    return this.cases.transaction(async (manager) => {
      const patient = await this.patients.findById(id, manager);
      if (!patient) throw DomainError.notFound('The patient');
      await this.audit.record(manager, auth, { action: 'read', entity: 'patient', entityId: id });
      return patient;
    });
  }

  // Exact MRN look-up: at most one patient, and only one the caller may see.
  async lookup(auth: AuthContext, mrn: string): Promise<PatientEntity[]> {
    if (!roleMay(auth.user.role, Permission.PatientReadIdentified)) throw DomainError.forbidden();
    const patient = await this.patients.findByMrnHash(this.cipher.hash(mrn));
    if (!patient) return [];
    try {
      return [await this.get(auth, patient.id)];
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.NotFound) return [];
      throw error;
    }
  }

  async update(
    auth: AuthContext,
    id: string,
    ifMatch: string | undefined,
    request: UpdatePatientRequest,
  ): Promise<PatientEntity> {
    await requireAccess(this.access, auth, Permission.PatientUpdate, id, 'The patient');
    if (request.mrn !== undefined && !roleMay(auth.user.role, Permission.PatientCorrectMrn)) {
      throw DomainError.forbidden('Only an administrator may correct an MRN.');
    }
    return this.cases.transaction(async (manager) => {
      const current = await this.patients.findForUpdate(id, manager);
      if (!current) throw DomainError.notFound('The patient');
      assertIfMatch(ifMatch, current.version);
      const next = {
        birthDate: request.birthDate ?? current.birthDate,
        sex: request.sex ?? current.sex,
        consent: request.consent ?? current.consent,
        deceasedDate: request.deceasedDate === undefined ? current.deceasedDate : request.deceasedDate,
      };
      const errors = this.patientDateErrors(next);
      if (next.deceasedDate && next.deceasedDate !== current.deceasedDate) {
        // A death before a recorded operation contradicts that case (DOMAIN.md: surgery not after death).
        const [{ latest }] = await manager.query(
          'SELECT max(surgery_date) AS latest FROM cases WHERE patient_id = $1 AND deleted_at IS NULL',
          [id],
        );
        if (latest && next.deceasedDate < latest) {
          errors.push({
            field: 'deceasedDate',
            code: 'before_surgery',
            message: "deceasedDate must not be before a case's surgeryDate",
          });
        }
      }
      if (request.birthDate !== undefined) {
        // The age-at-surgery rule holds for every case of this patient.
        const dates: Array<{ surgery_date: string }> = await manager.query(
          'SELECT surgery_date FROM cases WHERE patient_id = $1 AND deleted_at IS NULL',
          [id],
        );
        if (
          dates.some(({ surgery_date }) => {
            const age = ageInYears(next.birthDate, surgery_date);
            return age < 10 || age > 100;
          })
        ) {
          errors.push({
            field: 'birthDate',
            code: 'age_out_of_range',
            message: 'age at surgery must stay 10–100 years for every case of this patient',
          });
        }
      }
      const mrnChanged = request.mrn !== undefined && this.cipher.hash(request.mrn) !== current.mrnHash;
      if (mrnChanged && (await this.patients.findByMrnHash(this.cipher.hash(request.mrn!), manager))) {
        throw new DomainError(ErrorCode.Duplicate, 'Another patient has this MRN.', {
          errors: [{ field: 'mrn', code: 'duplicate', message: 'mrn is already registered' }],
        });
      }
      if (errors.length) throw DomainError.validation(errors);
      const changes: Array<{ field: string; from: unknown; to: unknown }> = (
        Object.keys(next) as Array<keyof typeof next>
      )
        .filter((key) => next[key] !== current[key])
        .map((key) => ({ field: key, from: current[key], to: next[key] }));
      if (mrnChanged) changes.push({ field: 'mrn', from: '[redacted]', to: '[redacted]' });
      if (changes.length === 0) return current;
      const updated = await this.patients.update(manager, id, {
        ...next,
        ...(mrnChanged
          ? { mrnHash: this.cipher.hash(request.mrn!), mrnCiphertext: this.cipher.encrypt(request.mrn!) }
          : {}),
      });
      // A death date moves every case's last contact.
      if (next.deceasedDate !== current.deceasedDate) await this.facts.refreshForPatient(manager, id);
      await this.audit.record(manager, auth, { action: 'update', entity: 'patient', entityId: id, changes });
      return updated;
    });
  }
}
