import { Injectable } from '@nestjs/common';
import {
  type CaseEntity,
  CaseFactsRepository,
  CaseRepository,
  IdempotencyRepository,
  type PatientEntity,
  PatientRepository,
} from '@ilr/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthContext } from '../access/access.policy.js';
import { type AuditActor, type AuditEventInput, AuditService, type SystemActor } from '../audit/audit.service.js';
import { RegistryClock } from '../common/clock.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { assertIfMatch, type IdempotencyRequest } from '../common/preconditions.js';

// What a creating write answers: the new record's id and version (for Location and ETag) and the
// response body. `replayed` is set when an Idempotency-Key retry got the first request's record.
export interface Created<B> {
  id: string;
  version: number;
  body: B;
  replayed?: boolean;
}

// The unit of work every clinical write runs in. Its owner (ClinicalWrites) opened the transaction,
// took the locks and checked If-Match before `work` runs; after it, in this order, it refreshes the
// case facts of every case an audit event names, appends the audit events in one statement, and
// completes the idempotency record. A write path only queues its events with `audit()`.
export interface WriteContext {
  readonly manager: EntityManager;
  readonly auth: AuthContext;
  // "Today" in the registry's clinical time zone, fixed for the whole write.
  readonly today: string;
  // Queues audit events, written last (the chaining trigger's lock is held from that insert to commit).
  audit(events: AuditEventInput | AuditEventInput[]): void;
}

export interface CaseWriteContext<R = undefined> extends WriteContext {
  // The live case, locked FOR UPDATE for the rest of the transaction.
  readonly theCase: CaseEntity;
  // The record of the case being changed (a visit, a complication), locked, when the write names one.
  readonly record: R;
}

// A write of many records in one transaction (an import with reject_all): `flush()` refreshes the facts
// of what was queued so far and moves its audit events to a staging table (AuditService.stage), so that
// neither grows in memory; all the events are appended at the end, as in every write.
export interface BulkWriteContext extends WriteContext {
  flush(): Promise<void>;
}

// A write in no user's name (the questionnaire scheduler, a patient answering from a link): its audit
// events name the system actor.
export interface SystemWriteContext {
  readonly manager: EntityManager;
  readonly actor: SystemActor;
  readonly today: string;
  audit(events: AuditEventInput | AuditEventInput[]): void;
}

export interface SystemCaseWriteContext extends SystemWriteContext {
  // The live case, locked FOR UPDATE for the rest of the transaction.
  readonly theCase: CaseEntity;
}

export interface PatientWriteContext extends WriteContext {
  // The patient, locked FOR UPDATE.
  readonly patient: PatientEntity;
}

// Idempotency-Key handling of a creating write: the key with its request hash, and how to answer a
// retry from the record the first request created (only its id is stored, never the response body).
export interface IdempotentCreate<Tx, B> {
  request: IdempotencyRequest | undefined;
  replay: (tx: Tx, id: string) => Promise<Created<B>>;
}

// If-Match on the record the write changes: required (428 without it) unless `required` is false.
export interface IfMatchCheck {
  value: string | undefined;
  required?: boolean;
}

export interface CaseWriteOptions<R> {
  // "The case", "The follow-up": the 404 when the case (or the record) is missing or deleted.
  notFound: string;
  // A record of the case to lock and check If-Match against instead of the case itself.
  record?: (manager: EntityManager) => Promise<(R & { version: number }) | null>;
  ifMatch?: IfMatchCheck;
}

// Actions that change nothing: their events need no facts refresh.
// An invitation's events change no clinical record (an answer's visit has its own `create` event).
const NON_CHANGING = new Set([
  'read',
  'export',
  'link_refused',
  'invite',
  'remind',
  'resend',
  'open',
  'answer',
  'expire',
  'cancel',
  'decline',
  'bounce',
]);

@Injectable()
export class ClinicalWrites {
  constructor(
    private readonly clock: RegistryClock,
    private readonly dataSource: DataSource,
    private readonly cases: CaseRepository,
    private readonly patients: PatientRepository,
    private readonly facts: CaseFactsRepository,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  today(): string {
    return this.clock.today();
  }

  // A write that starts from no existing record (a new patient, a new case).
  run<T>(auth: AuthContext, work: (tx: WriteContext) => Promise<T>): Promise<T> {
    return this.unit(auth, async (tx) => work(tx));
  }

  // Many records in one transaction, all or none (BulkWriteContext).
  bulk<T>(auth: AuthContext, work: (tx: BulkWriteContext) => Promise<T>): Promise<T> {
    return this.unit(auth, (tx) => work(tx as BulkWriteContext), {}, true);
  }

  // A creating write, at most once per (caller, Idempotency-Key).
  create<B>(
    auth: AuthContext,
    idempotent: IdempotentCreate<WriteContext, B>,
    work: (tx: WriteContext) => Promise<Created<B>>,
  ): Promise<Created<B>> {
    return this.unit(auth, (tx) => this.once(tx, idempotent, () => work(tx)));
  }

  // A write to one case or to a record of it: the case is locked first (its surgery date cannot
  // change under a visit derived from it), then the record; If-Match is checked against the record
  // when there is one, else against the case.
  onCase<T, R = undefined>(
    auth: AuthContext,
    caseId: string,
    options: CaseWriteOptions<R>,
    work: (tx: CaseWriteContext<R>) => Promise<T>,
  ): Promise<T> {
    return this.unit(auth, async (base) => work(await this.lockCase(base, caseId, options)));
  }

  // A creating write on a case (a visit, a complication), at most once per Idempotency-Key.
  createOnCase<B>(
    auth: AuthContext,
    caseId: string,
    options: { notFound: string },
    idempotent: IdempotentCreate<CaseWriteContext, B>,
    work: (tx: CaseWriteContext) => Promise<Created<B>>,
  ): Promise<Created<B>> {
    return this.unit(auth, async (base) => {
      const tx = await this.lockCase<undefined>(base, caseId, options);
      return this.once(tx, idempotent, () => work(tx));
    });
  }

  // A write to one patient: locked, If-Match checked. The facts of every case of the patient are
  // refreshed when the write records a change (a death date moves each case's last contact).
  onPatient<T>(
    auth: AuthContext,
    patientId: string,
    options: { notFound: string; ifMatch: IfMatchCheck },
    work: (tx: PatientWriteContext) => Promise<T>,
  ): Promise<T> {
    return this.unit(
      auth,
      async (base) => {
        const patient = await this.patients.findForUpdate(patientId, base.manager);
        if (!patient) throw DomainError.notFound(options.notFound);
        assertIfMatch(options.ifMatch.value, patient.version, { required: options.ifMatch.required ?? true });
        return work({ ...base, patient });
      },
      { patientId },
    );
  }

  // A write in a system actor's name, starting from no record (the scheduler's claim of an invitation).
  asSystem<T>(actor: SystemActor, work: (tx: SystemWriteContext) => Promise<T>): Promise<T> {
    return this.transact(actor, (base) => work({ ...base, actor }));
  }

  // A system actor's write on one live case, locked first as every write to a case is (a patient's
  // answers becoming a visit).
  onCaseAsSystem<T>(
    actor: SystemActor,
    caseId: string,
    options: { notFound: string },
    work: (tx: SystemCaseWriteContext) => Promise<T>,
  ): Promise<T> {
    return this.transact(actor, async (base) => {
      const theCase = await this.cases.findLiveForUpdate(caseId, base.manager);
      if (!theCase) throw DomainError.notFound(options.notFound);
      return work({ ...base, actor, theCase });
    });
  }

  // Audit events in their own committed transaction, for what must be recorded even though the
  // request then fails (a refused attempt to link to a registered patient), or outside any record's
  // write (an import's outcome, in a user's or the import worker's name).
  async recordNow(auth: AuditActor, events: AuditEventInput | AuditEventInput[]): Promise<void> {
    await this.dataSource.transaction('READ COMMITTED', (manager) => this.audit.record(manager, auth, events));
  }

  private async lockCase<R>(
    base: WriteContext,
    caseId: string,
    options: CaseWriteOptions<R>,
  ): Promise<CaseWriteContext<R>> {
    const theCase = await this.cases.findLiveForUpdate(caseId, base.manager);
    const record = options.record ? await options.record(base.manager) : undefined;
    if (!theCase || record === null) throw DomainError.notFound(options.notFound);
    if (options.ifMatch) {
      assertIfMatch(options.ifMatch.value, (record ?? theCase).version, { required: options.ifMatch.required ?? true });
    }
    return { ...base, theCase, record: record as R };
  }

  private async once<Tx extends WriteContext, B>(
    tx: Tx,
    idempotent: IdempotentCreate<Tx, B>,
    work: () => Promise<Created<B>>,
  ): Promise<Created<B>> {
    const request = idempotent.request;
    if (!request) return work();
    const claim = await this.idempotency.claim(tx.manager, tx.auth.user.id, request.key, request.requestHash);
    if (claim.kind === 'replay') {
      if (claim.requestHash !== request.requestHash) {
        throw new DomainError(
          ErrorCode.IdempotencyKeyReused,
          'This Idempotency-Key was used for a different request. Use a new key for a new request.',
        );
      }
      if (!claim.resourceId) {
        throw new DomainError(ErrorCode.Conflict, 'The first request with this Idempotency-Key did not complete.');
      }
      return { ...(await idempotent.replay(tx, claim.resourceId)), replayed: true };
    }
    const created = await work();
    await this.idempotency.complete(tx.manager, tx.auth.user.id, request.key, 201, created.id);
    return created;
  }

  // The facts of every case an audited change names: computed afresh, except for a case created in
  // this write (nothing but its creation recorded), whose facts are the defaults.
  private async refreshFacts(manager: EntityManager, events: AuditEventInput[], scope: { patientId?: string }) {
    const changing = events.filter((event) => !NON_CHANGING.has(event.action));
    if (scope.patientId && changing.length > 0) return this.facts.refreshForPatient(manager, scope.patientId);
    const created = new Set<string>();
    const changed = new Set<string>();
    for (const event of changing) {
      if (!event.caseId) continue;
      if (event.action === 'create' && (event.entity === 'case' || event.entity === 'patient'))
        created.add(event.caseId);
      else changed.add(event.caseId);
    }
    const fresh = [...created].filter((id) => !changed.has(id));
    if (fresh.length > 0) await this.facts.initialise(manager, fresh);
    if (changed.size > 0) await this.facts.refresh(manager, [...changed]);
  }

  private unit<T>(
    auth: AuthContext,
    work: (tx: WriteContext) => Promise<T>,
    scope: { patientId?: string } = {},
    bulk = false,
  ): Promise<T> {
    return this.transact(auth, (base) => work({ ...base, auth }), scope, bulk);
  }

  // The unit of work itself, in the name of `actor` (a user or a system actor).
  private transact<T>(
    actor: AuditActor,
    work: (tx: Omit<BulkWriteContext, 'auth'>) => Promise<T>,
    scope: { patientId?: string } = {},
    bulk = false,
  ): Promise<T> {
    // READ COMMITTED, PostgreSQL's default: no SET TRANSACTION round trip (the locks above do the ordering).
    return this.dataSource.transaction(async (manager) => {
      let queued: AuditEventInput[] = [];
      let staged = false;
      const tx: Omit<BulkWriteContext, 'auth'> = {
        manager,
        today: this.today(),
        audit: (events) => {
          queued.push(...(Array.isArray(events) ? events : [events]));
        },
        flush: async () => {
          if (!bulk) throw new Error('flush() is for bulk writes');
          await this.refreshFacts(manager, queued, scope);
          if (queued.length > 0) await this.audit.stage(manager, actor, queued);
          staged ||= queued.length > 0;
          queued = [];
        },
      };
      const result = await work(tx);
      await this.refreshFacts(manager, queued, scope);
      // Last: the events and the commit in one round trip (the chain's lock is held from the insert to commit).
      if (staged) await this.audit.recordStagedAndCommit(manager, actor, queued);
      else if (queued.length > 0) await this.audit.recordAndCommit(manager, actor, queued);
      return result;
    });
  }
}
