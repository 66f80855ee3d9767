import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';

export const IMPORT_DATASETS = ['cases', 'follow-ups', 'complications'] as const;
export type ImportDataset = (typeof IMPORT_DATASETS)[number];
export const IMPORT_MODES = ['validate', 'commit'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
export const IMPORT_ON_ERROR = ['reject_all', 'skip_invalid'] as const;
export type ImportOnError = (typeof IMPORT_ON_ERROR)[number];
// running: rows are being read; validated: a validate run finished (nothing written); committed: a
// commit finished (with skip_invalid, the valid rows written); rejected: a reject_all commit found a
// bad row and wrote nothing; failed: interrupted or an unexpected failure (`error` says what was kept).
export const IMPORT_STATUSES = ['running', 'validated', 'committed', 'rejected', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

// One uploaded file and what became of it. The counters are progress while it runs and the result
// after; the worker that runs it holds a lease (claimed_by, lease_expires_at) renewed by heartbeat,
// so that a job whose process stopped is found and failed by any other process.
@Entity({ name: 'import_jobs' })
@Check('CHK_import_jobs_status', `"status" IN ('running', 'validated', 'committed', 'rejected', 'failed')`)
@Check('CHK_import_jobs_dataset', `"dataset" IN ('cases', 'follow-ups', 'complications')`)
@Check('CHK_import_jobs_mode', `"mode" IN ('validate', 'commit')`)
@Check('CHK_import_jobs_on_error', `"on_error" IN ('reject_all', 'skip_invalid')`)
@Index('IDX_import_jobs_requested_by', ['requestedBy', 'createdAt'])
@Index('IDX_import_jobs_created', ['createdAt'])
@Index('IDX_import_jobs_running', ['leaseExpiresAt'], { where: `"status" = 'running'` })
export class ImportJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy: string;

  @Column({ type: 'varchar', length: 32 })
  dataset: ImportDataset;

  @Column({ type: 'varchar', length: 16 })
  mode: ImportMode;

  @Column({ name: 'on_error', type: 'varchar', length: 16 })
  onError: ImportOnError;

  // The surgeon of case rows that name none (surgeonEmail).
  @Column({ name: 'surgeon_id', type: 'uuid', nullable: true })
  surgeonId: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: ImportStatus;

  @Column({ name: 'file_name', type: 'varchar', length: 200, nullable: true })
  fileName: string | null;

  @Column({ type: 'bigint' })
  bytes: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'rows_read', type: 'integer', default: 0 })
  rowsRead: number;

  @Column({ type: 'integer', default: 0 })
  accepted: number;

  @Column({ type: 'integer', default: 0 })
  rejected: number;

  @Column({ type: 'integer', default: 0 })
  created: number;

  @Column({ type: 'integer', default: 0 })
  unchanged: number;

  @Column({ type: 'integer', default: 0 })
  conflicts: number;

  @Column({ name: 'error_count', type: 'integer', default: 0 })
  errorCount: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'claimed_by', type: 'varchar', length: 200, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 64, nullable: true })
  correlationId: string | null;
}

// One rejected row's problem (or a conflict) of an import: line of the file, column, code, message.
// Messages name the column and the rule, never the cell's value.
@Entity({ name: 'import_errors' })
export class ImportErrorEntity {
  @Column({ name: 'import_id', type: 'uuid', primary: true })
  importId: string;

  @ManyToOne(() => ImportJobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id' })
  job?: Relation<ImportJobEntity>;

  @Column({ type: 'integer', primary: true })
  seq: number;

  @Column({ type: 'integer' })
  line: number;

  @Column({ type: 'varchar', length: 100, nullable: true })
  column: string | null;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'text' })
  message: string;
}
