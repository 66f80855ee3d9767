import { Column, CreateDateColumn, UpdateDateColumn } from 'typeorm';

// The bookkeeping every clinical record carries: its version (ETag / If-Match), when it was created,
// and its soft deletion (who, when, why). Who created it is each entity's own column (a visit may have
// been answered by the patient, with no user behind it). Cases, follow-ups and complications extend this.
export abstract class ClinicalRecordColumns {
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @Column({ name: 'deleted_by', type: 'uuid', nullable: true })
  deletedBy: string | null;

  @Column({ name: 'delete_reason', type: 'text', nullable: true })
  deleteReason: string | null;

  @Column({ type: 'integer' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
