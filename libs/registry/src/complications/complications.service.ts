import { Injectable } from '@nestjs/common';
import { checkComplicationRules, type ComplicationData } from '@ilr/clinical';
import { AccessRepository, type CaseEntity, ComplicationRepository, FollowUpRepository } from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import { type AuthContext, Permission, requireAccess, roleMay } from '../access/access.policy.js';
import { creationChanges } from '../audit/audit.service.js';
import { DomainError } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/preconditions.js';
import { ClinicalWrites, type Created, type WriteContext } from '../writes/clinical-writes.js';
import { complicationColumns, complicationData, toComplicationResponse } from './complication.mapper.js';
import type {
  ComplicationResponse,
  CreateComplicationRequest,
  UpdateComplicationRequest,
} from './dto/complication.dto.js';

@Injectable()
export class ComplicationsService {
  constructor(
    private readonly complications: ComplicationRepository,
    private readonly visits: FollowUpRepository,
    private readonly access: AccessRepository,
    private readonly writes: ClinicalWrites,
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

  private async check(tx: WriteContext, data: ComplicationData, theCase: CaseEntity): Promise<void> {
    const visit = data.followUpId ? await this.visits.findLive(data.followUpId, tx.manager) : null;
    const errors = checkComplicationRules(data, {
      surgeryDate: theCase.surgeryDate,
      today: tx.today,
      caseId: theCase.id,
      followUpCaseId: visit?.caseId ?? null,
    });
    if (errors.length) throw DomainError.validation(errors);
  }

  private async caseOf(id: string): Promise<string> {
    const caseId = await this.access.caseOfComplication(id);
    if (!caseId) throw DomainError.notFound('The complication');
    return caseId;
  }

  private record(id: string) {
    return (manager: EntityManager) => this.complications.findLiveForUpdate(id, manager);
  }

  async create(
    auth: AuthContext,
    caseId: string,
    request: CreateComplicationRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<Created<ComplicationResponse>> {
    await requireAccess(this.access, auth, Permission.ComplicationWrite, caseId, 'The case');
    return this.writes.createOnCase(
      auth,
      caseId,
      { notFound: 'The case' },
      {
        request: idempotency,
        replay: async (tx, id) => {
          const entity = await this.complications.findLive(id, tx.manager);
          if (!entity) throw DomainError.notFound('The complication');
          return { id, version: entity.version, body: this.view(auth, entity, tx.theCase) };
        },
      },
      async (tx) => {
        const data: ComplicationData = { ...request, reoperation: request.reoperation ?? null };
        await this.check(tx, data, tx.theCase);
        const entity = await this.complications.insert(tx.manager, {
          ...complicationColumns(data),
          caseId,
          createdBy: auth.user.id,
        });
        tx.audit({
          action: 'create',
          entity: 'complication',
          entityId: entity.id,
          caseId,
          changes: creationChanges({ ...complicationData(entity) }),
        });
        return { id: entity.id, version: entity.version, body: this.view(auth, entity, tx.theCase) };
      },
    );
  }

  async update(
    auth: AuthContext,
    id: string,
    ifMatch: string | undefined,
    request: UpdateComplicationRequest,
  ): Promise<ComplicationResponse> {
    const caseId = await this.caseOf(id);
    await requireAccess(this.access, auth, Permission.ComplicationWrite, caseId, 'The complication');
    const options = { notFound: 'The complication', record: this.record(id), ifMatch: { value: ifMatch } };
    return this.writes.onCase(auth, caseId, options, async (tx) => {
      const current = tx.record;
      const before = complicationData(current);
      const after: ComplicationData = { ...before };
      for (const [key, value] of Object.entries(request)) {
        if (value !== undefined) (after as unknown as Record<string, unknown>)[key] = value;
      }
      await this.check(tx, after, tx.theCase);
      const changes = (Object.keys(after) as Array<keyof ComplicationData>)
        .filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null))
        .map((key) => ({ field: key, from: before[key] ?? null, to: after[key] ?? null }));
      if (changes.length === 0) return this.view(auth, current, tx.theCase);
      const updated = await this.complications.update(tx.manager, id, complicationColumns(after));
      tx.audit({ action: 'update', entity: 'complication', entityId: id, caseId, changes });
      return this.view(auth, updated, tx.theCase);
    });
  }

  async remove(auth: AuthContext, id: string, ifMatch: string | undefined, reason: string): Promise<void> {
    const caseId = await this.caseOf(id);
    await requireAccess(this.access, auth, Permission.ComplicationWrite, caseId, 'The complication');
    // A complication of a deleted case is gone with it: the case must be live (onCase) as well.
    const options = { notFound: 'The complication', record: this.record(id), ifMatch: { value: ifMatch } };
    await this.writes.onCase(auth, caseId, options, async (tx) => {
      await this.complications.update(tx.manager, id, {
        deletedAt: new Date(),
        deletedBy: auth.user.id,
        deleteReason: reason,
      });
      tx.audit({ action: 'delete', entity: 'complication', entityId: id, caseId, reason });
    });
  }
}
