import { Injectable } from '@nestjs/common';
import { checkVisitRules, daysBetween, deriveTimepoint, type Instrument } from '@ilr/clinical';
import { AccessRepository, ComplicationRepository, type FollowUpEntity, FollowUpRepository } from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import type { AuditChange } from '@ilr/persistence';
import { type AuthContext, Permission, requireAccess } from '../access/access.policy.js';
import { creationChanges } from '../audit/audit.service.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/preconditions.js';
import { type CaseWriteContext, ClinicalWrites, type Created } from '../writes/clinical-writes.js';
import type { CreateFollowUpRequest, FollowUpResponse, UpdateFollowUpRequest } from './dto/follow-up.dto.js';
import { promRows, toFollowUpResponse } from './follow-up.mapper.js';

export const VISIT_FIELDS = [
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
    private readonly visits: FollowUpRepository,
    private readonly complications: ComplicationRepository,
    private readonly access: AccessRepository,
    private readonly writes: ClinicalWrites,
  ) {}

  private async caseOf(id: string): Promise<string> {
    const caseId = await this.access.caseOfFollowUp(id);
    if (!caseId) throw DomainError.notFound('The follow-up');
    return caseId;
  }

  private async replay(id: string, manager: EntityManager): Promise<Created<FollowUpResponse>> {
    const visit = await this.visits.findLive(id, manager);
    if (!visit) throw DomainError.notFound('The follow-up');
    return { id, version: visit.version, body: toFollowUpResponse(visit, await this.visits.promsOf([id], manager)) };
  }

  async create(
    auth: AuthContext,
    caseId: string,
    request: CreateFollowUpRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<Created<FollowUpResponse>> {
    await requireAccess(this.access, auth, Permission.FollowUpWrite, caseId, 'The case');
    return this.writes.createOnCase(
      auth,
      caseId,
      { notFound: 'The case' },
      { request: idempotency, replay: (tx, id) => this.replay(id, tx.manager) },
      (tx) => this.insertVisit(tx, request, auth.user.id),
    );
  }

  // A new visit of a case its caller has locked: checked against the visit rules, stored, its PROMs
  // scored, and its creation audited. `createdBy` is null for a patient's own answers (a remote questionnaire).
  async insertVisit(
    tx: Pick<CaseWriteContext, 'manager' | 'today' | 'theCase' | 'audit'>,
    request: CreateFollowUpRequest,
    createdBy: string | null,
  ): Promise<Created<FollowUpResponse>> {
    const caseId = tx.theCase.id;
    const surgeryDate = tx.theCase.surgeryDate;
    const errors = checkVisitRules(request, { surgeryDate, today: tx.today });
    if (errors.length) throw DomainError.validation(errors);
    const visit = await this.visits.insert(tx.manager, {
      caseId,
      visitDate: request.visitDate,
      day: daysBetween(surgeryDate, request.visitDate),
      timepoint: deriveTimepoint(surgeryDate, request.visitDate),
      contactMode: request.contactMode,
      snapping: request.snapping ?? null,
      groinPain: request.groinPain ?? null,
      hipFlexionStrength: request.hipFlexionStrength ?? null,
      returnedToSport: request.returnedToSport ?? null,
      satisfaction: request.satisfaction ?? null,
      createdBy,
    });
    await this.visits.replaceProms(tx.manager, visit.id, promRows(request.proms));
    const proms = await this.visits.promsOf([visit.id], tx.manager);
    tx.audit({
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
    return { id: visit.id, version: visit.version, body: toFollowUpResponse(visit, proms) };
  }

  async update(
    auth: AuthContext,
    id: string,
    ifMatch: string | undefined,
    request: UpdateFollowUpRequest,
  ): Promise<FollowUpResponse> {
    const caseId = await this.caseOf(id);
    await requireAccess(this.access, auth, Permission.FollowUpWrite, caseId, 'The follow-up');
    const options = {
      notFound: 'The follow-up',
      record: (manager: EntityManager) => this.visits.findLiveForUpdate(id, manager),
      ifMatch: { value: ifMatch },
    };
    return this.writes.onCase(auth, caseId, options, async (tx) => {
      const current = tx.record;
      const next: Partial<FollowUpEntity> = {};
      for (const field of VISIT_FIELDS) {
        if (request[field] !== undefined) (next as Record<string, unknown>)[field] = request[field];
      }
      const visitDate = next.visitDate ?? current.visitDate;
      const errors = checkVisitRules({ visitDate }, { surgeryDate: tx.theCase.surgeryDate, today: tx.today });
      if (errors.length) throw DomainError.validation(errors);
      next.day = daysBetween(tx.theCase.surgeryDate, visitDate);
      next.timepoint = deriveTimepoint(tx.theCase.surgeryDate, visitDate);

      const changes: AuditChange[] = [];
      for (const [field, value] of Object.entries(next)) {
        const before = (current as unknown as Record<string, unknown>)[field];
        if (field !== 'day' && before !== value) changes.push({ field, from: before, to: value });
      }
      const rows = promRows(request.proms);
      const before = await this.visits.promsOf([id], tx.manager);
      for (const [instrument, row] of Object.entries(rows) as Array<[Instrument, { items: object } | null]>) {
        const old = before.find((p) => p.instrument === instrument)?.items ?? null;
        const now = row?.items ?? null;
        if (JSON.stringify(old) !== JSON.stringify(now))
          changes.push({ field: `proms.${instrument}`, from: old, to: now });
      }
      if (changes.length === 0) return toFollowUpResponse(current, before);
      const updated = await this.visits.update(tx.manager, id, next);
      await this.visits.replaceProms(tx.manager, id, rows);
      const proms = await this.visits.promsOf([id], tx.manager);
      tx.audit({ action: 'update', entity: 'follow_up', entityId: id, caseId, changes });
      return toFollowUpResponse(updated, proms);
    });
  }

  async remove(auth: AuthContext, id: string, ifMatch: string | undefined, reason: string): Promise<void> {
    const caseId = await this.caseOf(id);
    await requireAccess(this.access, auth, Permission.FollowUpWrite, caseId, 'The follow-up');
    // A visit of a deleted case is gone with it: the case must be live (onCase) as well as the visit.
    const options = {
      notFound: 'The follow-up',
      record: (manager: EntityManager) => this.visits.findLiveForUpdate(id, manager),
      ifMatch: { value: ifMatch },
    };
    await this.writes.onCase(auth, caseId, options, async (tx) => {
      if ((await this.complications.countReferencingVisit(id, tx.manager)) > 0) {
        throw new DomainError(
          ErrorCode.Conflict,
          'A complication names this visit as where it was found: change or delete that complication first.',
        );
      }
      await this.visits.update(tx.manager, id, {
        deletedAt: new Date(),
        deletedBy: auth.user.id,
        deleteReason: reason,
      });
      tx.audit({ action: 'delete', entity: 'follow_up', entityId: id, caseId, reason });
    });
  }
}
