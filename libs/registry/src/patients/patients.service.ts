import { Injectable } from '@nestjs/common';
import { ageInYears } from '@ilr/clinical';
import {
  AccessRepository,
  CaseRepository,
  InvitationRepository,
  type PatientEntity,
  PatientRepository,
} from '@ilr/persistence';
import { invitationEvent } from '../questionnaires/invitation-events.js';
import type { EntityManager } from 'typeorm';
import { allowedIds, type AuthContext, Permission, requireAccess, roleMay } from '../access/access.policy.js';
import { type AuditEventInput, creationChanges } from '../audit/audit.service.js';
import { DomainError, ErrorCode, type FieldError } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/preconditions.js';
import { ClinicalWrites, type Created, type WriteContext } from '../writes/clinical-writes.js';
import type { CreatePatientRequest, PatientInput, PatientResponse, UpdatePatientRequest } from './dto/patient.dto.js';
import { MrnCipher } from './mrn-cipher.js';

// `identified`: the MRN and email address in clear, for readers who may see them (absent otherwise).
export function toPatientResponse(
  patient: PatientEntity,
  identified: { mrn: string; email: string | null } | undefined,
): PatientResponse {
  return {
    id: patient.id,
    ...(identified !== undefined ? { mrn: identified.mrn, birthDate: patient.birthDate, email: identified.email } : {}),
    sex: patient.sex,
    consent: patient.consent,
    deceasedDate: patient.deceasedDate,
    promInvitations: patient.promInvitations,
    version: patient.version,
    createdAt: patient.createdAt.toISOString(),
    updatedAt: patient.updatedAt.toISOString(),
  };
}

@Injectable()
export class PatientsService {
  constructor(
    private readonly patients: PatientRepository,
    private readonly cases: CaseRepository,
    private readonly access: AccessRepository,
    private readonly cipher: MrnCipher,
    private readonly writes: ClinicalWrites,
    private readonly invitations: InvitationRepository,
  ) {}

  view(auth: AuthContext, patient: PatientEntity): PatientResponse {
    if (!roleMay(auth.user.role, Permission.PatientReadIdentified)) return toPatientResponse(patient, undefined);
    return toPatientResponse(patient, {
      mrn: this.cipher.decrypt(patient.mrnCiphertext),
      email: patient.emailCiphertext ? this.cipher.decrypt(patient.emailCiphertext) : null,
    });
  }

  // Date rules of a patient on their own (DOMAIN.md § Patient), from the values given.
  patientDateErrors(
    values: { birthDate: string; deceasedDate?: string | null },
    today: string,
    prefix = '',
  ): FieldError[] {
    const errors: FieldError[] = [];
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

  findByMrn(mrn: string, manager: EntityManager): Promise<PatientEntity | null> {
    return this.patients.findByMrnHash(this.cipher.hash(mrn), manager);
  }

  // Registers a patient inside the caller's write, which records its creation (creationEvent) with
  // its own events; null when the MRN is already registered (possibly by a request that raced this one).
  async register(
    tx: WriteContext,
    input: PatientInput & { consent?: CreatePatientRequest['consent']; deceasedDate?: string | null },
  ): Promise<PatientEntity | null> {
    const patient = await this.patients.insertUnlessMrnKnown(
      {
        mrnCiphertext: this.cipher.encrypt(input.mrn),
        mrnHash: this.cipher.hash(input.mrn),
        birthDate: input.birthDate,
        sex: input.sex,
        consent: input.consent ?? 'given',
        deceasedDate: input.deceasedDate ?? null,
        emailCiphertext: input.email ? this.cipher.seal(input.email.trim()) : null,
        promInvitations: input.promInvitations ?? 'allowed',
        createdBy: tx.auth.user.id,
      },
      tx.manager,
    );
    return patient;
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
        // Only that an address was given: the audit trail never holds it (AuditService redacts `email`).
        email: patient.emailCiphertext ? 'given' : null,
        promInvitations: patient.promInvitations,
      }),
    };
  }

  async create(
    auth: AuthContext,
    request: CreatePatientRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<Created<PatientResponse>> {
    const errors = this.patientDateErrors(request, this.writes.today());
    if (errors.length) throw DomainError.validation(errors);
    return this.writes.create(
      auth,
      {
        request: idempotency,
        replay: async (tx, id) => {
          const patient = await this.patients.findById(id, tx.manager);
          if (!patient) throw DomainError.notFound('The patient');
          return { id, version: patient.version, body: this.view(auth, patient) };
        },
      },
      async (tx) => {
        const patient = await this.register(tx, request);
        if (!patient) throw await this.duplicate(auth, request.mrn, tx.manager);
        tx.audit(this.creationEvent(patient, request.mrn));
        return { id: patient.id, version: patient.version, body: this.view(auth, patient) };
      },
    );
  }

  // 409 for a registered MRN. The existing patient's id only for a caller who may see that patient:
  // to anyone else the answer says no more than that the MRN is registered.
  private async duplicate(auth: AuthContext, mrn: string, manager: EntityManager): Promise<DomainError> {
    const known = await this.findByMrn(mrn, manager);
    const visible = known ? await allowedIds(this.access, auth, Permission.PatientRead, [known.id]) : new Set();
    return new DomainError(ErrorCode.Duplicate, 'A patient with this MRN is already registered.', {
      errors: [{ field: 'mrn', code: 'duplicate', message: 'mrn is already registered' }],
      ...(known && visible.has(known.id) ? { extensions: { existingId: known.id } } : {}),
    });
  }

  async get(auth: AuthContext, id: string): Promise<PatientEntity> {
    await requireAccess(this.access, auth, Permission.PatientRead, id, 'The patient');
    return this.writes.run(auth, async (tx) => {
      const patient = await this.patients.findById(id, tx.manager);
      if (!patient) throw DomainError.notFound('The patient');
      tx.audit({ action: 'read', entity: 'patient', entityId: id });
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
    return this.writes.onPatient(auth, id, { notFound: 'The patient', ifMatch: { value: ifMatch } }, async (tx) => {
      const current = tx.patient;
      const next = {
        birthDate: request.birthDate ?? current.birthDate,
        sex: request.sex ?? current.sex,
        consent: request.consent ?? current.consent,
        deceasedDate: request.deceasedDate === undefined ? current.deceasedDate : request.deceasedDate,
      };
      const errors = this.patientDateErrors(next, tx.today);
      if (next.deceasedDate && next.deceasedDate !== current.deceasedDate) {
        // A death before a recorded operation contradicts that case (DOMAIN.md: surgery not after death).
        const latest = await this.cases.latestSurgeryOfPatient(id, tx.manager);
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
        const dates = await this.cases.surgeryDatesOfPatient(id, tx.manager);
        if (
          dates.some((date) => {
            const age = ageInYears(next.birthDate, date);
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
      const currentEmail = current.emailCiphertext ? this.cipher.decrypt(current.emailCiphertext) : null;
      const nextEmail = request.email === undefined ? currentEmail : request.email ? request.email.trim() : null;
      const emailChanged = nextEmail !== currentEmail;
      const promInvitations = request.promInvitations ?? current.promInvitations;
      if (mrnChanged && (await this.patients.findByMrnHash(this.cipher.hash(request.mrn!), tx.manager))) {
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
      if (emailChanged) changes.push({ field: 'email', from: currentEmail, to: nextEmail });
      if (promInvitations !== current.promInvitations)
        changes.push({ field: 'promInvitations', from: current.promInvitations, to: promInvitations });
      if (changes.length === 0) return current;
      const updated = await this.patients.update(tx.manager, id, {
        ...next,
        promInvitations,
        ...(emailChanged ? { emailCiphertext: nextEmail ? this.cipher.seal(nextEmail) : null } : {}),
        ...(mrnChanged
          ? { mrnHash: this.cipher.hash(request.mrn!), mrnCiphertext: this.cipher.encrypt(request.mrn!) }
          : {}),
      });
      tx.audit({ action: 'update', entity: 'patient', entityId: id, changes });
      // Declining ends every invitation still waiting for an answer, at once (not at the scheduler's next run).
      if (promInvitations === 'declined' && current.promInvitations !== 'declined') {
        const declined = await this.invitations.declineOpenOfPatient(id, tx.manager);
        tx.audit(declined.map((row) => invitationEvent('decline', row)));
      }
      return updated;
    });
  }
}
