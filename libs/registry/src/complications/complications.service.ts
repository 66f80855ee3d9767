import { Injectable } from '@nestjs/common';
import { checkComplicationRules, type ComplicationData } from '@ilr/clinical';
import {
  AccessRepository,
  type CaseEntity,
  CaseFactsRepository,
  CaseRepository,
  ComplicationRepository,
  FollowUpRepository,
} from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import { type AuthContext, Permission, requireAccess, roleMay } from '../access/access.policy.js';
import { AuditService, creationChanges } from '../audit/audit.service.js';
import { DomainError } from '../common/errors.js';
import { IdempotencyService } from '../common/idempotency.service.js';
import { assertIfMatch, etag, type HttpResult, type IdempotencyRequest } from '../common/preconditions.js';
import { PatientsService } from '../patients/patients.service.js';
import { complicationColumns, complicationData, toComplicationResponse } from './complication.mapper.js';
import type {
  ComplicationResponse,
  CreateComplicationRequest,
  UpdateComplicationRequest,
} from './dto/complication.dto.js';

@Injectable()
export class ComplicationsService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly complications: ComplicationRepository,
    private readonly visits: FollowUpRepository,
    private readonly access: AccessRepository,
    private readonly patients: PatientsService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly facts: CaseFactsRepository,
  ) {}

  private view(
    auth: AuthContext,
    entity: Parameters<typeof toComplicationResponse>[0],
    theCase: CaseEntity,
  ): ComplicationResponse {
    return toComplicationResponse(entity, theCase.surgeryDate, {
      freeText: roleMay(auth.user.role, Permission.CaseReadFreeText),
    });
  }

  private async check(manager: EntityManager, data: ComplicationData, theCase: CaseEntity): Promise<void> {
    const visit = data.followUpId ? await this.visits.findLive(data.followUpId, manager) : null;
    const errors = checkComplicationRules(data, {
      surgeryDate: theCase.surgeryDate,
      today: this.patients.today(),
      caseId: theCase.id,
      followUpCaseId: visit?.caseId ?? null,
    });
    if (errors.length) throw DomainError.validation(errors);
  }

  async create(
    auth: AuthContext,
    caseId: string,
    request: CreateComplicationRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<HttpResult<ComplicationResponse>> {
    await requireAccess(this.access, auth, Permission.ComplicationWrite, caseId, 'The case');
    return this.cases.transaction((manager) =>
      this.idempotency.run(manager, auth, idempotency, async () => {
        const theCase = await this.cases.findLiveForUpdate(caseId, manager);
        if (!theCase) throw DomainError.notFound('The case');
        const data: ComplicationData = { ...request, reoperation: request.reoperation ?? null };
        await this.check(manager, data, theCase);
        const entity = await this.complications.insert(manager, {
          ...complicationColumns(data),
          caseId,
          createdBy: auth.user.id,
        });
        await this.facts.refresh(manager, [caseId]);
        await this.audit.record(manager, auth, {
          action: 'create',
          entity: 'complication',
          entityId: entity.id,
          caseId,
          changes: creationChanges({ ...complicationData(entity) }),
        });
        return {
          status: 201,
          body: this.view(auth, entity, theCase),
          headers: { Location: `/api/v1/complications/${entity.id}`, ETag: etag(entity.version) },
        };
      }),
    );
  }

  async update(
    auth: AuthContext,
    id: string,
    ifMatch: string | undefined,
    request: UpdateComplicationRequest,
  ): Promise<ComplicationResponse> {
    const caseId = await this.access.caseOfComplication(id);
    if (!caseId) throw DomainError.notFound('The complication');
    await requireAccess(this.access, auth, Permission.ComplicationWrite, caseId, 'The complication');
    return this.cases.transaction(async (manager) => {
      const theCase = await this.cases.findLiveForUpdate(caseId, manager);
      const current = await this.complications.findLiveForUpdate(id, manager);
      if (!theCase || !current) throw DomainError.notFound('The complication');
      assertIfMatch(ifMatch, current.version);
      const before = complicationData(current);
      const after: ComplicationData = { ...before };
      for (const [key, value] of Object.entries(request)) {
        if (value !== undefined) (after as unknown as Record<string, unknown>)[key] = value;
      }
      await this.check(manager, after, theCase);
      const changes = (Object.keys(after) as Array<keyof ComplicationData>)
        .filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null))
        .map((key) => ({ field: key, from: before[key] ?? null, to: after[key] ?? null }));
      if (changes.length === 0) return this.view(auth, current, theCase);
      const updated = await this.complications.update(manager, id, complicationColumns(after));
      await this.facts.refresh(manager, [caseId]);
      await this.audit.record(manager, auth, {
        action: 'update',
        entity: 'complication',
        entityId: id,
        caseId,
        changes,
      });
      return this.view(auth, updated, theCase);
    });
  }

  async remove(auth: AuthContext, id: string, ifMatch: string | undefined, reason: string): Promise<void> {
    const caseId = await this.access.caseOfComplication(id);
    if (!caseId) throw DomainError.notFound('The complication');
    await requireAccess(this.access, auth, Permission.ComplicationWrite, caseId, 'The complication');
    await this.cases.transaction(async (manager) => {
      // A complication of a deleted case is gone with it.
      const theCase = await this.cases.findLiveForUpdate(caseId, manager);
      const current = await this.complications.findLiveForUpdate(id, manager);
      if (!theCase || !current) throw DomainError.notFound('The complication');
      assertIfMatch(ifMatch, current.version);
      await this.complications.update(manager, id, {
        deletedAt: new Date(),
        deletedBy: auth.user.id,
        deleteReason: reason,
      });
      await this.facts.refresh(manager, [caseId]);
      await this.audit.record(manager, auth, {
        action: 'delete',
        entity: 'complication',
        entityId: id,
        caseId,
        reason,
      });
    });
  }
}
