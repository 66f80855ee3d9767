import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const EXPORT_JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number];

// A requested export, run by an in-process worker of any API process. Durable and leased: the worker
// that claimed a job (claimed_by, attempt number in `attempts`) renews its lease by heartbeat; a job
// whose lease expired (its process stopped) is taken over by another worker, up to its attempt
// limit, and then failed — never left running, never run by two workers at once.
@Entity({ name: 'export_jobs' })
@Check('CHK_export_jobs_status', `"status" IN ('queued', 'running', 'done', 'failed')`)
@Index('IDX_export_jobs_queue', ['status', 'createdAt'])
export class ExportJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy: string;

  @Column({ type: 'varchar', length: 32 })
  dataset: string;

  @Column({ type: 'varchar', length: 16 })
  format: string;

  @Column({ type: 'jsonb' })
  filters: Record<string, unknown>;

  @Column({ type: 'boolean' })
  identified: boolean;

  @Column({ type: 'varchar', length: 16 })
  status: ExportJobStatus;

  // The attempt number: raised by every claim, so that each attempt has its own.
  @Column({ type: 'integer' })
  attempts: number;

  // The worker (host:pid:random) that holds the current attempt's lease.
  @Column({ name: 'claimed_by', type: 'varchar', length: 200, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;

  @Column({ name: 'rows_written', type: 'integer', nullable: true })
  rows: number | null;

  @Column({ name: 'rows_total', type: 'integer', nullable: true })
  rowsTotal: number | null;

  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Column({ name: 'file_name', type: 'varchar', length: 200, nullable: true })
  fileName: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 64, nullable: true })
  correlationId: string | null;
}
