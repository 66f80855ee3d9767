import { Column, Entity, PrimaryColumn } from 'typeorm';

// The head of the audit chain after each batch of audit events (one INSERT statement), written by
// the database (a statement-level trigger on audit_events, migration AuditChainV2Checkpoints), so
// that no write path can forget it. Append-only like the trail itself, and the service's role may
// only read it. Removing the newest audit events leaves their checkpoint behind:
// audit_events_verify() reports a checkpointed event that is missing or differs.
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpointEntity {
  // The id of the batch's last event (no foreign key: the point is to outlive a removed event).
  @PrimaryColumn({ name: 'event_id', type: 'bigint' })
  eventId: string;

  @Column({ type: 'char', length: 64 })
  hash: string;

  @Column({ type: 'timestamptz' })
  at: Date;
}
