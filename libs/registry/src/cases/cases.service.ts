import { Inject, Injectable } from '@nestjs/common';
import { type CaseData, checkCaseRules, daysBetween, deriveTimepoint, type ScheduledTimepoint } from '@ilr/clinical';
import {
  AccessRepository,
  AuditRepository,
  type CaseEntity,
  CaseRepository,
  ComplicationRepository,
  FollowUpRepository,
  type PatientEntity,
  PatientRepository,
} from '@ilr/persistence';
import { allowedIds, type AuthContext, Permission, requireAccess, roleMay } from '../access/access.policy.js';
import { creationChanges } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode, type FieldError } from '../common/errors.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, type Page } from '../common/pagination.js';
import { isClinicalDate } from '../common/validation.js';
import type { IdempotencyRequest } from '../common/preconditions.js';
import { PatientsService } from '../patients/patients.service.js';
import type { PatientInput } from '../patients/dto/patient.dto.js';
import { ThrottleService } from '../throttling/throttle.service.js';
import { ClinicalWrites, type Created, type WriteContext } from '../writes/clinical-writes.js';
import {
  caseColumnsFromData,
  caseDataFromEntity,
  caseDataFromRequest,
  diffCaseData,
  mergeCasePatch,
  toCaseResponse,
} from './case.mapper.js';
import { toComplicationResponse } from '../complications/complication.mapper.js';
import { toFollowUpResponse } from '../follow-ups/follow-up.mapper.js';
import type {
  CaseHistoryResponse,
  CaseListQuery,
  CaseView,
  CreateCaseRequest,
  UpdateCaseRequest,
} from './dto/case.dto.js';

@Injectable()
export class CasesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cases: CaseRepository,
    private readonly patientRepo: PatientRepository,
    private readonly patients: PatientsService,
    private readonly access: AccessRepository,
    private readonly auditTrail: AuditRepository,
    private readonly visits: FollowUpRepository,
    private readonly complications: ComplicationRepository,
    private readonly writes: ClinicalWrites,
    private readonly throttle: ThrottleService,
  ) {}

  view(auth: AuthContext, entity: CaseEntity): CaseView {
    return toCaseResponse(entity, { freeText: roleMay(auth.user.role, Permission.CaseReadFreeText) });
  }

  // DOMAIN.md § Case rules on a complete case, plus those that need its patient (the import asks too).
  ruleErrors(
    data: CaseData,
    patient: Pick<PatientEntity, 'birthDate' | 'deceasedDate'>,
    birthDateField: string,
    today: string,
  ): FieldError[] {
    const errors: FieldError[] = checkCaseRules(data, { today, birthDate: patient.birthDate, birthDateField });
    if (patient.deceasedDate && data.surgeryDate > patient.deceasedDate) {
      errors.push({
        field: 'surgeryDate',
        code: 'after_death',
        message: "surgeryDate must not be after the patient's deceasedDate",
      });
    }
    return errors;
  }

  private async resolveSurgeon(auth: AuthContext, requested: string | undefined): Promise<string> {
    const surgeonId = requested ?? auth.user.id;
    if (surgeonId !== auth.user.id && !roleMay(auth.user.role, Permission.CaseCreateForOtherSurgeon)) {
      throw DomainError.forbidden('Only administrators and registry staff may log a case for another surgeon.');
    }
    // The caller was just authenticated as an active user: a surgeon logging their own case needs no look-up.
    const self = surgeonId === auth.user.id && auth.user.role === 'surgeon';
    if (!self && !(await this.access.activeSurgeons([surgeonId])).has(surgeonId)) {
      throw DomainError.validation([
        {
          field: 'surgeonId',
          code: requested ? 'not_a_surgeon' : 'required',
          message: requested
            ? 'surgeonId must name an active surgeon'
            : 'surgeonId is required when the caller is not a surgeon',
        },
      ]);
    }
    return surgeonId;
  }

  async create(
    auth: AuthContext,
    request: CreateCaseRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<Created<CaseView>> {
    if ((request.patientId === undefined) === (request.patient === undefined)) {
      throw DomainError.validation([
        { field: 'patientId', code: 'one_of', message: 'send exactly one of patientId or patient' },
      ]);
    }
    const surgeonId = await this.resolveSurgeon(auth, request.surgeonId);
    const data = caseDataFromRequest(request);
    if (request.patient) {
      const errors = this.patients.patientDateErrors(request.patient, this.writes.today(), 'patient.');
      if (errors.length) throw DomainError.validation(errors);
    }
    // The inline patient's registration, looked up once: null when the MRN is not registered.
    const known = request.patient ? await this.checkLinkOutsideWrite(auth, request.patient, data) : null;

    return this.writes.create(
      auth,
      {
        request: idempotency,
        replay: async (tx, id) => {
          const entity = await this.cases.findAny(id, tx.manager);
          if (!entity) throw DomainError.notFound('The case');
          return { id, version: entity.version, body: this.view(auth, entity) };
        },
      },
      async (tx) => {
        const registryCode = await this.cases.nextRegistryCode(tx.manager);
        const { patient, created } = await this.casePatient(tx, request, data, known);
        const entity = await this.cases.insert(tx.manager, {
          ...caseColumnsFromData(data),
          registryCode,
          patientId: patient.id,
          surgeonId,
          createdBy: auth.user.id,
        });
        tx.audit([
          ...(created ? [this.patients.creationEvent(patient, request.patient!.mrn, entity.id)] : []),
          {
            action: 'create',
            entity: 'case',
            entityId: entity.id,
            caseId: entity.id,
            changes: creationChanges({ registryCode, patientId: patient.id, surgeonId, ...data }),
          },
        ]);
        return { id: entity.id, version: entity.version, body: this.view(auth, entity) };
      },
    );
  }

  // Linking a case to a registered patient the caller may not see (another surgeon's) needs proof:
  // the MRN and the birth date both match. Such a caller never gets an answer computed from the
  // stored patient: first the rules on what they sent, then one fixed refusal for any mismatch
  // (birth date, or a recorded death before this surgery), audited in its own transaction and
  // counted, before the comparison, against a throttle like failed logins.
  // Returns the registered patient with this MRN, or null.
  private async checkLinkOutsideWrite(
    auth: AuthContext,
    input: PatientInput,
    data: CaseData,
  ): Promise<PatientEntity | null> {
    const today = this.writes.today();
    const known = await this.patientRepo.findByMrnHash(this.patients.mrnHash(input.mrn));
    if (!known || (await this.visible(auth, known))) return known;
    const sentErrors = this.ruleErrors(
      data,
      { birthDate: input.birthDate, deceasedDate: null },
      'patient.birthDate',
      today,
    );
    if (sentErrors.length) throw DomainError.validation(sentErrors);
    const { loginThrottle } = this.config;
    const attempt = await this.throttle.consume(
      `patient-link:${auth.user.id}`,
      loginThrottle.maxPerEmail,
      loginThrottle.windowSeconds,
    );
    if (!attempt.allowed) {
      throw new DomainError(ErrorCode.Throttled, 'Too many attempts to link cases to registered patients; try later.', {
        headers: { 'Retry-After': String(attempt.retryAfterSeconds) },
      });
    }
    const refusal = this.linkRefusal(known, input, data);
    if (refusal) {
      await this.writes.recordNow(auth, {
        action: 'link_refused',
        entity: 'patient',
        entityId: known.id,
        details: { reason: refusal },
      });
      throw linkRefused();
    }
    return known;
  }

  private linkRefusal(known: PatientEntity, input: PatientInput, data: CaseData): string | null {
    if (known.birthDate !== input.birthDate) return 'birth_date_mismatch';
    if (known.deceasedDate && data.surgeryDate > known.deceasedDate) return 'after_death';
    return null;
  }

  private async visible(auth: AuthContext, patient: PatientEntity): Promise<boolean> {
    return (await allowedIds(this.access, auth, Permission.PatientRead, [patient.id])).has(patient.id);
  }

  // The case's patient: an existing one by id (which the caller must be able to see), or the
  // inline patient found by MRN or registered here. Checks the rules that need the patient first,
  // so that nothing is written for an invalid case.
  private async casePatient(
    tx: WriteContext,
    request: CreateCaseRequest,
    data: CaseData,
    registered: PatientEntity | null,
  ): Promise<{ patient: PatientEntity; created: boolean }> {
    if (request.patientId) {
      const patient = (await this.visible(tx.auth, { id: request.patientId } as PatientEntity))
        ? await this.patientRepo.findById(request.patientId, tx.manager)
        : null;
      if (!patient)
        throw DomainError.validation([
          { field: 'patientId', code: 'not_found', message: 'patientId does not name a patient you may see' },
        ]);
      const errors = this.ruleErrors(data, patient, 'surgeryDate', tx.today);
      if (errors.length) throw DomainError.validation(errors);
      return { patient, created: false };
    }
    const input = request.patient!;
    // Looked up just before the transaction; an MRN registered since is caught by the insert below.
    let known = registered;
    if (!known) {
      const errors = this.ruleErrors(
        data,
        { birthDate: input.birthDate, deceasedDate: null },
        'patient.birthDate',
        tx.today,
      );
      if (errors.length) throw DomainError.validation(errors);
      const registered = await this.patients.register(tx, input);
      if (registered) return { patient: registered, created: true };
      // Another request registered this MRN between our look-up and insert: link to theirs.
      known = (await this.patients.findByMrn(input.mrn, tx.manager))!;
    }
    if (await this.visible(tx.auth, known)) {
      const errors = this.ruleErrors(data, known, 'patient.birthDate', tx.today);
      if (known.birthDate !== input.birthDate) {
        errors.push({
          field: 'patient.birthDate',
          code: 'mismatch',
          message: 'patient.birthDate differs from the registered patient with this MRN',
        });
      }
      if (errors.length) throw DomainError.validation(errors);
    } else if (this.linkRefusal(known, input, data)) {
      // checkLinkOutsideWrite let this request through: the patient changed since, or was registered
      // by a concurrent request. The same fixed answer.
      throw linkRefused();
    }
    return { patient: known, created: false };
  }

  // The case with its live visits (each with its scored PROMs) and complications.
  async get(auth: AuthContext, id: string): Promise<{ entity: CaseEntity; view: CaseView }> {
    await requireAccess(this.access, auth, Permission.CaseRead, id, 'The case');
    return this.writes.run(auth, async (tx) => {
      const entity = await this.cases.findLive(id, tx.manager);
      if (!entity) throw DomainError.notFound('The case');
      const [visits, complications] = await Promise.all([
        this.visits.listForCase(id, tx.manager),
        this.complications.listForCase(id, tx.manager),
      ]);
      const overdueTimepoints = await this.cases.overdueTimepoints(id, tx.today, tx.manager);
      tx.audit({ action: 'read', entity: 'case', entityId: id, caseId: id });
      const freeText = roleMay(auth.user.role, Permission.CaseReadFreeText);
      return {
        entity,
        view: {
          ...this.view(auth, entity),
          overdueTimepoints: overdueTimepoints as ScheduledTimepoint[],
          followUps: visits.map(({ visit, proms }) => toFollowUpResponse(visit, proms)),
          complications: complications.map((c) => toComplicationResponse(c, entity.surgeryDate, { freeText })),
        },
      };
    });
  }

  async list(auth: AuthContext, query: CaseListQuery): Promise<Page<CaseView>> {
    // A surgeon lists only their own cases; asking for another surgeon's gives an empty list.
    if (auth.user.role === 'surgeon' && query.surgeonId && query.surgeonId !== auth.user.id)
      return { items: [], nextCursor: null };
    const after = decodeCursor(query.cursor, {
      surgeryDate: isClinicalDate,
      registryCode: (code: string) => /^ILR-\d{6,}$/.test(code),
    });
    const page = await this.cases.list(
      {
        surgeonId: auth.user.role === 'surgeon' ? auth.user.id : query.surgeonId,
        patientId: query.patientId,
        from: query.from,
        to: query.to,
        side: query.side,
        releaseLocation: query.releaseLocation,
        impingementRepair: query.impingementRepair,
        status: query.status,
        registryCodePrefix: query.q,
      },
      query.limit ?? DEFAULT_PAGE_SIZE,
      this.writes.today(),
      after,
    );
    const last = page.items.at(-1)?.entity;
    return {
      items: page.items.map(({ entity, overdueTimepoints }) => ({
        ...this.view(auth, entity),
        overdueTimepoints: overdueTimepoints as ScheduledTimepoint[],
      })),
      nextCursor:
        page.hasMore && last ? encodeCursor({ surgeryDate: last.surgeryDate, registryCode: last.registryCode }) : null,
    };
  }

  async update(
    auth: AuthContext,
    id: string,
    ifMatch: string | undefined,
    request: UpdateCaseRequest,
  ): Promise<CaseEntity> {
    await requireAccess(this.access, auth, Permission.CaseUpdate, id, 'The case');
    const { amendmentReason, ...patch } = request;
    return this.writes.onCase(auth, id, { notFound: 'The case', ifMatch: { value: ifMatch } }, async (tx) => {
      const current = tx.theCase;
      if (current.status === 'signed' && !amendmentReason) {
        throw DomainError.validation([
          {
            field: 'amendmentReason',
            code: 'required',
            message: 'amendmentReason is required to change a signed case',
          },
        ]);
      }
      const before = caseDataFromEntity(current);
      const after = mergeCasePatch(before, patch);
      const patient = (await this.patientRepo.findById(current.patientId, tx.manager))!;
      const errors = this.ruleErrors(after, patient, 'surgeryDate', tx.today);
      if (errors.length) throw DomainError.validation(errors);
      if (after.surgeryDate !== before.surgeryDate) {
        const onset = await this.complications.earliestOnset(id, tx.manager);
        if (onset && onset < after.surgeryDate) {
          throw DomainError.validation([
            {
              field: 'surgeryDate',
              code: 'after_complication_onset',
              message: 'surgeryDate must not be after the onset of a recorded complication',
            },
          ]);
        }
      }
      const changes = diffCaseData(before, after);
      if (changes.length === 0) return current;
      const updated = await this.cases.update(tx.manager, id, caseColumnsFromData(after));
      if (after.surgeryDate !== before.surgeryDate) {
        // Visits keep their dates; their days after surgery and timepoints follow the new surgery date.
        for (const visit of await this.visits.liveForCase(id, tx.manager)) {
          await this.visits.update(tx.manager, visit.id, {
            day: daysBetween(after.surgeryDate, visit.visitDate),
            timepoint: deriveTimepoint(after.surgeryDate, visit.visitDate),
          });
        }
      }
      tx.audit({
        action: current.status === 'signed' ? 'amend' : 'update',
        entity: 'case',
        entityId: id,
        caseId: id,
        changes,
        reason: amendmentReason ?? null,
      });
      return updated;
    });
  }

  async sign(auth: AuthContext, id: string, ifMatch: string | undefined): Promise<CaseEntity> {
    await requireAccess(this.access, auth, Permission.CaseSign, id, 'The case');
    const options = { notFound: 'The case', ifMatch: { value: ifMatch, required: false } };
    return this.writes.onCase(auth, id, options, async (tx) => {
      if (tx.theCase.status === 'signed') throw new DomainError(ErrorCode.Conflict, 'The case is already signed.');
      const updated = await this.cases.update(tx.manager, id, {
        status: 'signed',
        signedAt: new Date(),
        signedBy: auth.user.id,
      });
      tx.audit({
        action: 'sign',
        entity: 'case',
        entityId: id,
        caseId: id,
        changes: [{ field: 'status', from: 'draft', to: 'signed' }],
      });
      return updated;
    });
  }

  async remove(auth: AuthContext, id: string, ifMatch: string | undefined, reason: string): Promise<void> {
    await requireAccess(this.access, auth, Permission.CaseDelete, id, 'The case');
    await this.writes.onCase(auth, id, { notFound: 'The case', ifMatch: { value: ifMatch } }, async (tx) => {
      await this.cases.update(tx.manager, id, { deletedAt: new Date(), deletedBy: auth.user.id, deleteReason: reason });
      tx.audit({ action: 'delete', entity: 'case', entityId: id, caseId: id, reason });
    });
  }

  async history(auth: AuthContext, id: string): Promise<CaseHistoryResponse> {
    await requireAccess(this.access, auth, Permission.CaseHistory, id, 'The case');
    const [events, verification] = await Promise.all([this.auditTrail.listForCase(id), this.auditTrail.verifyCase(id)]);
    return {
      items: events.map((event) => ({
        at: event.at.toISOString(),
        actor: { id: event.actorId, displayName: event.actorDisplayName ?? event.actorSystem },
        action: event.action,
        entity: event.entityType,
        entityId: event.entityId,
        changes: event.changes,
        reason: event.reason,
        correlationId: event.correlationId,
      })),
      chainIntact: verification.every((row) => row.intact),
    };
  }
}

// One answer for every refused link to a registered patient the caller may not see: it says that
// the MRN is registered, and nothing of what is stored for it.
function linkRefused(): DomainError {
  return new DomainError(
    ErrorCode.Conflict,
    'This MRN is registered to a patient whose details do not match those sent. Check the MRN and birth date, or ask the registry office to link the case.',
    {
      errors: [
        {
          field: 'patient',
          code: 'link_refused',
          message: 'patient does not match the registered patient with this MRN',
        },
      ],
    },
  );
}
