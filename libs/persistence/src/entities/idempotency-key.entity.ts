import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

// A remembered POST: the first answer to (user, key) is replayed for every retry with the same
// request; another request under the same key is refused. The row is inserted in the transaction
// that does the work, so a concurrent retry waits on it and then sees the committed answer.
@Entity({ name: 'idempotency_keys' })
@Index('IDX_idempotency_keys_created', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  // The record the first request created: a replay answers from it (no response body is stored).
  @Column({ name: 'resource_id', type: 'uuid', nullable: true })
  resourceId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
