import { Injectable } from '@nestjs/common';
import { checkVisitRules, daysBetween, deriveTimepoint, type Instrument } from '@ilr/clinical';
import {
  AccessRepository,
  CaseFactsRepository,
  CaseRepository,
  ComplicationRepository,
  type FollowUpEntity,
  FollowUpRepository,
} from '@ilr/persistence';
import type { AuditChange } from '@ilr/persistence';
import { type AuthContext, Permission, requireAccess } from '../access/access.policy.js';
import { AuditService, creationChanges } from '../audit/audit.service.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { IdempotencyService } from '../common/idempotency.service.js';
import { assertIfMatch, etag, type HttpResult, type IdempotencyRequest } from '../common/preconditions.js';
import { PatientsService } from '../patients/patients.service.js';
import type { CreateFollowUpRequest, FollowUpResponse, UpdateFollowUpRequest } from './dto/follow-up.dto.js';
import { promRows, toFollowUpResponse } from './follow-up.mapper.js';

const VISIT_FIELDS = [
  'visitDate',
  'contactMode',
  'snapping',
  'groinPain',
  'hipFlexionStrength',
  'returnedToSport',
  'satisfaction',
] as const;

@Injectable()
export class FollowUpsService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly visits: FollowUpRepository,
    private readonly complications: ComplicationRepository,
    private readonly access: AccessRepository,
    private readonly patients: PatientsService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly facts: CaseFactsRepository,
  ) {}

  private async caseOf(id: string): Promise<string> {
    const caseId = await this.access.caseOfFollowUp(id);
    if (!caseId) throw DomainError.notFound('The follow-up');
    return caseId;
  }

  async create(
    auth: AuthContext,
    caseId: string,
    request: CreateFollowUpRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<HttpResult<FollowUpResponse>> {
    await requireAccess(this.access, auth, Permission.FollowUpWrite, caseId, 'The case');
    return this.cases.transaction((manager) =>
      this.idempotency.run(manager, auth, idempotency, async () => {
        // Locks the case: its surgery date cannot change under the visit being derived from it.
        const theCase = await this.cases.findLiveForUpdate(caseId, manager);
        if (!theCase) throw DomainError.notFound('The case');
        const errors = checkVisitRules(request, { surgeryDate: theCase.surgeryDate, today: this.patients.today() });
        if (errors.length) throw DomainError.validation(errors);
        const visit = await this.visits.insert(manager, {
          caseId,
          visitDate: request.visitDate,
          day: daysBetween(theCase.surgeryDate, request.visitDate),
          timepoint: deriveTimepoint(theCase.surgeryDate, request.visitDate),
          contactMode: request.contactMode,
          snapping: request.snapping ?? null,
          groinPain: request.groinPain ?? null,
          hipFlexionStrength: request.hipFlexionStrength ?? null,
          returnedToSport: request.returnedToSport ?? null,
          satisfaction: request.satisfaction ?? null,
          createdBy: auth.user.id,
        });
        const rows = promRows(request.proms);
        await this.visits.replaceProms(manager, visit.id, rows);
        const proms = await this.visits.promsOf([visit.id], manager);
        await this.facts.refresh(manager, [caseId]);
        await this.audit.record(manager, auth, {
          action: 'create',
          entity: 'follow_up',
          entityId: visit.id,
          caseId,
          changes: [
            ...creationChanges(Object.fromEntries(VISIT_FIELDS.map((f) => [f, visit[f]]))),
            { field: 'timepoint', from: null, to: visit.timepoint },
            ...proms.map((p) => ({ field: `proms.${p.instrument}`, from: null, to: p.items })),
          ],
        });
        return {
          status: 201,
          body: toFollowUpResponse(visit, proms),
          headers: { Location: `/api/v1/follow-ups/${visit.id}`, ETag: etag(visit.version) },
        };
      }),
    );
  }

  async update(
    auth: AuthContext,
    id: string,
    ifMatch: string | undefined,
    request: UpdateFollowUpRequest,
  ): Promise<FollowUpResponse> {
    const caseId = await this.caseOf(id);
    await requireAccess(this.access, auth, Permission.FollowUpWrite, caseId, 'The follow-up');
    return this.cases.transaction(async (manager) => {
      const theCase = await this.cases.findLiveForUpdate(caseId, manager);
      const current = await this.visits.findLiveForUpdate(id, manager);
      if (!theCase || !current) throw DomainError.notFound('The follow-up');
      assertIfMatch(ifMatch, current.version);
      const next: Partial<FollowUpEntity> = {};
      for (const field of VISIT_FIELDS) {
        if (request[field] !== undefined) (next as Record<string, unknown>)[field] = request[field];
      }
      const visitDate = next.visitDate ?? current.visitDate;
      const errors = checkVisitRules({ visitDate }, { surgeryDate: theCase.surgeryDate, today: this.patients.today() });
      if (errors.length) throw DomainError.validation(errors);
      next.day = daysBetween(theCase.surgeryDate, visitDate);
      next.timepoint = deriveTimepoint(theCase.surgeryDate, visitDate);

      const changes: AuditChange[] = [];
      for (const [field, value] of Object.entries(next)) {
        const before = (current as unknown as Record<string, unknown>)[field];
        if (field !== 'day' && before !== value) changes.push({ field, from: before, to: value });
      }
      const rows = promRows(request.proms);
      const before = await this.visits.promsOf([id], manager);
      for (const [instrument, row] of Object.entries(rows) as Array<[Instrument, { items: object } | null]>) {
        const old = before.find((p) => p.instrument === instrument)?.items ?? null;
        const now = row?.items ?? null;
        if (JSON.stringify(old) !== JSON.stringify(now))
          changes.push({ field: `proms.${instrument}`, from: old, to: now });
      }
      if (changes.length === 0) return toFollowUpResponse(current, before);
      const updated = await this.visits.update(manager, id, next);
      await this.visits.replaceProms(manager, id, rows);
      const proms = await this.visits.promsOf([id], manager);
      await this.facts.refresh(manager, [caseId]);
      await this.audit.record(manager, auth, { action: 'update', entity: 'follow_up', entityId: id, caseId, changes });
      return toFollowUpResponse(updated, proms);
    });
  }

  async remove(auth: AuthContext, id: string, ifMatch: string | undefined, reason: string): Promise<void> {
    const caseId = await this.caseOf(id);
    await requireAccess(this.access, auth, Permission.FollowUpWrite, caseId, 'The follow-up');
    await this.cases.transaction(async (manager) => {
      // A visit of a deleted case is gone with it.
      const theCase = await this.cases.findLiveForUpdate(caseId, manager);
      const current = await this.visits.findLiveForUpdate(id, manager);
      if (!theCase || !current) throw DomainError.notFound('The follow-up');
      assertIfMatch(ifMatch, current.version);
      if ((await this.complications.countReferencingVisit(id, manager)) > 0) {
        throw new DomainError(
          ErrorCode.Conflict,
          'A complication names this visit as where it was found: change or delete that complication first.',
        );
      }
      await this.visits.update(manager, id, { deletedAt: new Date(), deletedBy: auth.user.id, deleteReason: reason });
      await this.facts.refresh(manager, [caseId]);
      await this.audit.record(manager, auth, { action: 'delete', entity: 'follow_up', entityId: id, caseId, reason });
    });
  }
}
