import { Injectable } from '@nestjs/common';
import { type CaseData, checkCaseRules, daysBetween, deriveTimepoint } from '@ilr/clinical';
import {
  AccessRepository,
  AuditRepository,
  type CaseEntity,
  CaseFactsRepository,
  CaseRepository,
  ComplicationRepository,
  FollowUpRepository,
  type PatientEntity,
  PatientRepository,
} from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import { allowedIds, type AuthContext, Permission, requireAccess, roleMay } from '../access/access.policy.js';
import { AuditService, creationChanges } from '../audit/audit.service.js';
import { DomainError, ErrorCode, type FieldError } from '../common/errors.js';
import { IdempotencyService } from '../common/idempotency.service.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, type Page } from '../common/pagination.js';
import { isClinicalDate } from '../common/validation.js';
import { assertIfMatch, etag, type HttpResult, type IdempotencyRequest } from '../common/preconditions.js';
import { PatientsService } from '../patients/patients.service.js';
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
    private readonly cases: CaseRepository,
    private readonly patientRepo: PatientRepository,
    private readonly patients: PatientsService,
    private readonly access: AccessRepository,
    private readonly audit: AuditService,
    private readonly auditTrail: AuditRepository,
    private readonly idempotency: IdempotencyService,
    private readonly visits: FollowUpRepository,
    private readonly complications: ComplicationRepository,
    private readonly facts: CaseFactsRepository,
  ) {}

  view(auth: AuthContext, entity: CaseEntity): CaseView {
    return toCaseResponse(entity, { freeText: roleMay(auth.user.role, Permission.CaseReadFreeText) });
  }

  // DOMAIN.md § Case rules on a complete case, plus those that need its patient.
  private ruleErrors(
    data: CaseData,
    patient: Pick<PatientEntity, 'birthDate' | 'deceasedDate'>,
    birthDateField: string,
  ): FieldError[] {
    const errors: FieldError[] = checkCaseRules(data, {
      today: this.patients.today(),
      birthDate: patient.birthDate,
      birthDateField,
    });
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
  ): Promise<HttpResult<CaseView>> {
    if ((request.patientId === undefined) === (request.patient === undefined)) {
      throw DomainError.validation([
        { field: 'patientId', code: 'one_of', message: 'send exactly one of patientId or patient' },
      ]);
    }
    const surgeonId = await this.resolveSurgeon(auth, request.surgeonId);
    const data = caseDataFromRequest(request);
    if (request.patient) {
      const errors = this.patients.patientDateErrors(request.patient, 'patient.');
      if (errors.length) throw DomainError.validation(errors);
    }

    return this.cases.transaction((manager) =>
      this.idempotency.run(manager, auth, idempotency, async () => {
        const registryCode = await this.cases.nextRegistryCode(manager);
        const { patient, created } = await this.casePatient(manager, auth, request, data);
        const entity = await this.cases.insert(manager, {
          ...caseColumnsFromData(data),
          registryCode,
          patientId: patient.id,
          surgeonId,
          createdBy: auth.user.id,
        });
        await this.facts.initialise(
          manager,
          entity.id,
          patient.deceasedDate ? Math.max(0, daysBetween(data.surgeryDate, patient.deceasedDate)) : 0,
        );
        // Audit events last, in one statement: the chaining trigger holds its lock until commit.
        await this.audit.record(manager, auth, [
          ...(created ? [this.patients.creationEvent(patient, request.patient!.mrn, entity.id)] : []),
          {
            action: 'create',
            entity: 'case',
            entityId: entity.id,
            caseId: entity.id,
            changes: creationChanges({ registryCode, patientId: patient.id, surgeonId, ...data }),
          },
        ]);
        return {
          status: 201,
          body: this.view(auth, entity),
          headers: { Location: `/api/v1/cases/${entity.id}`, ETag: etag(entity.version) },
        };
      }),
    );
  }

  // The case's patient: an existing one by id (which the caller must be able to see), or the
  // inline patient found by MRN or created here. Checks the rules that need the patient first, so
  // that nothing is written for an invalid case.
  private async casePatient(
    manager: EntityManager,
    auth: AuthContext,
    request: CreateCaseRequest,
    data: CaseData,
  ): Promise<{ patient: PatientEntity; created: boolean }> {
    if (request.patientId) {
      const visible = await allowedIds(this.access, auth, Permission.PatientRead, [request.patientId]);
      const patient = visible.has(request.patientId)
        ? await this.patientRepo.findById(request.patientId, manager)
        : null;
      if (!patient)
        throw DomainError.validation([
          { field: 'patientId', code: 'not_found', message: 'patientId does not name a patient you may see' },
        ]);
      const errors = this.ruleErrors(data, patient, 'surgeryDate');
      if (errors.length) throw DomainError.validation(errors);
      return { patient, created: false };
    }
    const input = request.patient!;
    const known = await this.patientRepo.findByMrnHash(this.patients.mrnHash(input.mrn), manager);
    const errors = this.ruleErrors(
      data,
      known ?? { birthDate: input.birthDate, deceasedDate: null },
      'patient.birthDate',
    );
    if (known && known.birthDate !== input.birthDate) {
      errors.push({
        field: 'patient.birthDate',
        code: 'mismatch',
        message: 'patient.birthDate differs from the registered patient with this MRN',
      });
    }
    if (errors.length) throw DomainError.validation(errors);
    return known ? { patient: known, created: false } : this.patients.findOrCreate(manager, input);
  }

  // The case with its live visits (each with its scored PROMs) and complications.
  async get(auth: AuthContext, id: string): Promise<{ entity: CaseEntity; view: CaseView }> {
    await requireAccess(this.access, auth, Permission.CaseRead, id, 'The case');
    return this.cases.transaction(async (manager) => {
      const entity = await this.cases.findLive(id, manager);
      if (!entity) throw DomainError.notFound('The case');
      const [visits, complications] = await Promise.all([
        this.visits.listForCase(id, manager),
        this.complications.listForCase(id, manager),
      ]);
      await this.audit.record(manager, auth, { action: 'read', entity: 'case', entityId: id, caseId: id });
      const freeText = roleMay(auth.user.role, Permission.CaseReadFreeText);
      return {
        entity,
        view: {
          ...this.view(auth, entity),
          followUps: visits.map(({ visit, proms }) => toFollowUpResponse(visit, proms)),
          complications: complications.map((c) => toComplicationResponse(c, entity.surgeryDate, { freeText })),
        },
      };
    });
  }

  async list(auth: AuthContext, query: CaseListQuery): Promise<Page<CaseEntity>> {
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
        from: query.from,
        to: query.to,
        side: query.side,
        releaseLocation: query.releaseLocation,
        impingementRepair: query.impingementRepair,
        status: query.status,
        registryCodePrefix: query.q,
      },
      query.limit ?? DEFAULT_PAGE_SIZE,
      after,
    );
    const last = page.items.at(-1);
    return {
      items: page.items,
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
    return this.cases.transaction(async (manager) => {
      const current = await this.cases.findLiveForUpdate(id, manager);
      if (!current) throw DomainError.notFound('The case');
      assertIfMatch(ifMatch, current.version);
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
      const patient = (await this.patientRepo.findById(current.patientId, manager))!;
      const errors = this.ruleErrors(after, patient, 'surgeryDate');
      if (errors.length) throw DomainError.validation(errors);
      if (after.surgeryDate !== before.surgeryDate) {
        const onset = await this.complications.earliestOnset(id, manager);
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
      const updated = await this.cases.update(manager, id, caseColumnsFromData(after));
      if (after.surgeryDate !== before.surgeryDate) {
        // Visits keep their dates; their days after surgery and timepoints follow the new surgery date.
        for (const visit of await this.visits.liveForCase(id, manager)) {
          await this.visits.update(manager, visit.id, {
            day: daysBetween(after.surgeryDate, visit.visitDate),
            timepoint: deriveTimepoint(after.surgeryDate, visit.visitDate),
          });
        }
      }
      await this.facts.refresh(manager, [id]);
      await this.audit.record(manager, auth, {
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
    return this.cases.transaction(async (manager) => {
      const current = await this.cases.findLiveForUpdate(id, manager);
      if (!current) throw DomainError.notFound('The case');
      assertIfMatch(ifMatch, current.version, { required: false });
      if (current.status === 'signed') throw new DomainError(ErrorCode.Conflict, 'The case is already signed.');
      const signedAt = new Date();
      const updated = await this.cases.update(manager, id, { status: 'signed', signedAt, signedBy: auth.user.id });
      await this.audit.record(manager, auth, {
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
    await this.cases.transaction(async (manager) => {
      const current = await this.cases.findLiveForUpdate(id, manager);
      if (!current) throw DomainError.notFound('The case');
      assertIfMatch(ifMatch, current.version);
      await this.cases.update(manager, id, { deletedAt: new Date(), deletedBy: auth.user.id, deleteReason: reason });
      await this.audit.record(manager, auth, { action: 'delete', entity: 'case', entityId: id, caseId: id, reason });
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
