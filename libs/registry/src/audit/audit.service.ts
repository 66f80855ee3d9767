import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type AuditChange, type AuditHead, AuditRepository } from '@ilr/persistence';
import type { Logger } from 'pino';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import type { AuthContext } from '../access/access.policy.js';
import { LOGGER } from '../common/logger.js';
import { requestContext } from '../common/request-context.js';

export type AuditAction =
  | 'create'
  | 'update'
  | 'amend'
  | 'sign'
  | 'delete'
  | 'read'
  | 'export'
  | 'deactivate'
  | 'reactivate'
  | 'role_change'
  | 'password_reset'
  | 'password_change'
  | 'token_create'
  | 'token_revoke'
  | 'link_refused'
  | 'import'
  // A questionnaire invitation's life (step 12): mailed, reminded, mailed again, opened, answered, ended.
  | 'invite'
  | 'remind'
  | 'resend'
  | 'open'
  | 'answer'
  | 'expire'
  | 'cancel'
  | 'decline'
  | 'bounce';
export type AuditEntity =
  'case' | 'patient' | 'follow_up' | 'complication' | 'export' | 'import' | 'user' | 'api_token' | 'invitation';

// Processes that act in no user's name write audit events as a named system actor.
export const SYSTEM_ACTORS = {
  exportWorker: { system: 'system:export-worker' },
  importWorker: { system: 'system:import-worker' },
  // The questionnaire scheduler (invitations, reminders, expiry) and a patient answering from an emailed link.
  questionnaireScheduler: { system: 'system:questionnaire-scheduler' },
  patient: { system: 'system:patient-questionnaire' },
} as const;
export type SystemActor = (typeof SYSTEM_ACTORS)[keyof typeof SYSTEM_ACTORS];

// Who an audit event is in the name of: an authenticated caller, or a named system actor.
export type AuditActor = AuthContext | SystemActor;

export interface AuditEventInput {
  action: AuditAction;
  entity: AuditEntity;
  entityId: string | null;
  caseId?: string | null;
  changes?: AuditChange[];
  details?: Record<string, unknown>;
  reason?: string | null;
}

// Fields whose values never enter the audit trail in clear (the MRN, an email address: only that they changed).
const REDACTED_FIELDS = new Set(['mrn', 'email']);

// Where a transaction keeps the audit head it wrote until it commits (QueryRunner.data).
const PENDING_HEAD = 'ilr:auditHead';

function pendingHead(runner: QueryRunner): Record<string, AuditHead | undefined> {
  return runner.data as Record<string, AuditHead | undefined>;
}

// Logs the chain's head once the transaction that wrote it has committed (`audit head`, its id and
// hash only), so that the log holds a copy of every head outside the database: removing the newest
// events shows against it even when the database's own checkpoints were removed too. A head whose
// transaction rolled back is never logged.
class AuditHeadLog implements EntitySubscriberInterface {
  constructor(private readonly logger: Logger) {}

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint leaves the transaction open: wait for the real commit.
    if (event.queryRunner.isTransactionActive) return;
    const head = pendingHead(event.queryRunner)[PENDING_HEAD];
    if (!head) return;
    delete pendingHead(event.queryRunner)[PENDING_HEAD];
    this.logger.info({ auditHead: head }, 'audit head');
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    delete pendingHead(event.queryRunner)[PENDING_HEAD];
  }
}

// Writes audit events inside the caller's transaction, with the request's correlation id. Call it
// last in a transaction: the chaining trigger holds a lock from the insert until commit.
@Injectable()
export class AuditService implements OnModuleInit {
  constructor(
    private readonly audit: AuditRepository,
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    if (!this.dataSource.subscribers.some((subscriber) => subscriber instanceof AuditHeadLog)) {
      this.dataSource.subscribers.push(new AuditHeadLog(this.logger));
    }
  }

  // The last write of a unit of work: records the events and commits the transaction with them
  // (AuditRepository.append with `commit`), so the chain's lock is not held across a round trip.
  recordAndCommit(manager: EntityManager, actor: AuditActor, events: AuditEventInput[]): Promise<void> {
    return this.record(manager, actor, events, { commit: true });
  }

  // A bulk write's events as it goes (AuditRepository.stage), appended at its end by recordStagedAndCommit.
  stage(manager: EntityManager, actor: AuditActor, events: AuditEventInput[]): Promise<void> {
    return this.audit.stage(manager, this.rows(actor, events));
  }

  async recordStagedAndCommit(manager: EntityManager, actor: AuditActor, events: AuditEventInput[]): Promise<void> {
    const head = await this.audit.appendStagedAndCommit(manager, this.rows(actor, events));
    this.noteHead(manager, head);
  }

  async record(
    manager: EntityManager,
    actor: AuditActor,
    events: AuditEventInput | AuditEventInput[],
    options: { commit?: boolean } = {},
  ): Promise<void> {
    const head = await this.audit.append(manager, this.rows(actor, Array.isArray(events) ? events : [events]), options);
    this.noteHead(manager, head);
  }

  private noteHead(manager: EntityManager, head: AuditHead | undefined): void {
    if (!head) return;
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) pendingHead(runner)[PENDING_HEAD] = head;
    else this.logger.info({ auditHead: head }, 'audit head');
  }

  private rows(actor: AuditActor, events: AuditEventInput[]) {
    const correlationId = requestContext.correlationId() ?? null;
    const actorId = 'system' in actor ? null : actor.user.id;
    const actorSystem = 'system' in actor ? actor.system : null;
    return events.map((event) => ({
      actorId,
      actorSystem,
      action: event.action,
      entityType: event.entity,
      entityId: event.entityId,
      caseId: event.caseId ?? null,
      changes: (event.changes ?? []).map((change) =>
        REDACTED_FIELDS.has(change.field)
          ? {
              field: change.field,
              from: change.from === null ? null : '[redacted]',
              to: change.to === null ? null : '[redacted]',
            }
          : change,
      ),
      details: event.details ?? null,
      reason: event.reason ?? null,
      correlationId,
    }));
  }
}

// Every field of a new record as a change from nothing.
export function creationChanges(record: Record<string, unknown>, prefix = ''): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const [key, value] of Object.entries(record)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value))
      changes.push(...creationChanges(value as Record<string, unknown>, field));
    else if (value !== undefined && value !== null) changes.push({ field, from: null, to: value });
  }
  return changes;
}
