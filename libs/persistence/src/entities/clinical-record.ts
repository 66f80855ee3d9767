import { Column, CreateDateColumn, UpdateDateColumn } from 'typeorm';

// The bookkeeping every clinical record carries: its version (ETag / If-Match), who created it,
// when, and its soft deletion (who, when, why). Cases, follow-ups and complications extend this.
export abstract class ClinicalRecordColumns {
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @Column({ name: 'deleted_by', type: 'uuid', nullable: true })
  deletedBy: string | null;

  @Column({ name: 'delete_reason', type: 'text', nullable: true })
  deleteReason: string | null;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
