import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export interface AuditChange {
  field: string;
  from: unknown;
  to: unknown;
}

// The append-only audit trail. Rows are written only through AuditRepository.append; a trigger
// (migrations CreatePatientsCasesAudit, AuditChainV2Checkpoints) numbers each row under a lock,
// chains it to the previous row by SHA-256, and refuses every UPDATE, DELETE and TRUNCATE, whoever
// asks; another records the head of each inserted batch in audit_checkpoints. The service's role
// may only SELECT and INSERT (migration CreateAppRole).
@Entity({ name: 'audit_events' })
@Index('IDX_audit_events_case', ['caseId', 'id'])
@Index('IDX_audit_events_entity', ['entityType', 'entityId', 'id'])
@Check('CHK_audit_events_chain_version', `"chain_version" IN (1, 2)`)
@Check(
  'CHK_audit_events_system_actor',
  `"actor_system" IS NULL OR ("actor_id" IS NULL AND "actor_system" LIKE 'system:%')`,
)
export class AuditEventEntity {
  // Assigned by the trigger from audit_events_id_seq, in chain order.
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  // A named system actor (system:export-worker) where no user acted; then actorId is null.
  @Column({ name: 'actor_system', type: 'varchar', length: 64, nullable: true })
  actorSystem: string | null;

  @Column({ type: 'varchar', length: 32 })
  action: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 32 })
  entityType: string;

  @Column({ name: 'entity_id', type: 'uuid', nullable: true })
  entityId: string | null;

  @Column({ name: 'case_id', type: 'uuid', nullable: true })
  caseId: string | null;

  @Column({ type: 'jsonb' })
  changes: AuditChange[];

  // Extra facts of the event that are not field changes (export filters, row counts, checksums).
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 64, nullable: true })
  correlationId: string | null;

  // How the row is hashed: 1 = the fields joined with '|' (rows before migration
  // AuditChainV2Checkpoints), 2 = canonical JSON of every field, actor_system included. Set by the
  // trigger; a chain never goes back to an earlier version.
  @Column({ name: 'chain_version', type: 'smallint', default: 2 })
  chainVersion: number;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64 })
  hash: string;
}
