import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import {
  CLAVIEN_DINDO,
  type ClavienDindo,
  COMPLICATION_TYPE,
  type ComplicationType,
  RECURRENCE_CAUSE,
  type RecurrenceCause,
  REOPERATION_PROCEDURE,
  type ReoperationProcedure,
} from '@ilr/clinical';
import { CaseEntity } from './case.entity.js';
import { ClinicalRecordColumns } from './clinical-record.js';
import { oneOf } from './checks.js';
import { FollowUpEntity } from './follow-up.entity.js';

@Entity({ name: 'complications' })
@Check('CHK_complications_type', oneOf('type', COMPLICATION_TYPE.codes))
@Check('CHK_complications_recurrence_cause', oneOf('recurrence_cause', RECURRENCE_CAUSE.codes, true))
@Check('CHK_complications_clavien_dindo', oneOf('clavien_dindo', CLAVIEN_DINDO.codes, true))
@Check('CHK_complications_reoperation_procedure', oneOf('reoperation_procedure', REOPERATION_PROCEDURE.codes, true))
@Check(
  'CHK_complications_brooker_iff_ho',
  `("type" = 'heterotopic_ossification') = ("brooker_grade" IS NOT NULL) AND ("brooker_grade" IS NULL OR "brooker_grade" BETWEEN 1 AND 4)`,
)
@Check('CHK_complications_cause_iff_recurrence', `("type" = 'recurrent_snapping') = ("recurrence_cause" IS NOT NULL)`)
@Check('CHK_complications_sink', '"sink_grade" BETWEEN 1 AND 5')
@Check(
  'CHK_complications_reoperation',
  `("reoperation_date" IS NULL) = ("reoperation_procedure" IS NULL) AND ("reoperation_date" IS NULL OR ("reoperation_date" >= "onset_date" AND "sink_grade" >= 3))`,
)
@Index('IDX_complications_case', ['caseId', 'type'], { where: '"deleted_at" IS NULL' })
export class ComplicationEntity extends ClinicalRecordColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id' })
  case?: Relation<CaseEntity>;

  @Column({ type: 'varchar', length: 32 })
  type: ComplicationType;

  @Column({ name: 'onset_date', type: 'date' })
  onsetDate: string;

  @Column({ name: 'brooker_grade', type: 'smallint', nullable: true })
  brookerGrade: number | null;

  @Column({ name: 'recurrence_cause', type: 'varchar', length: 32, nullable: true })
  recurrenceCause: RecurrenceCause | null;

  @Column({ name: 'sink_grade', type: 'smallint' })
  sinkGrade: number;

  @Column({ name: 'clavien_dindo', type: 'varchar', length: 8, nullable: true })
  clavienDindo: ClavienDindo | null;

  @Column({ name: 'reoperation_date', type: 'date', nullable: true })
  reoperationDate: string | null;

  @Column({ name: 'reoperation_procedure', type: 'varchar', length: 32, nullable: true })
  reoperationProcedure: ReoperationProcedure | null;

  @Column({ name: 'resolved_date', type: 'date', nullable: true })
  resolvedDate: string | null;

  @Column({ name: 'follow_up_id', type: 'uuid', nullable: true })
  followUpId: string | null;

  @ManyToOne(() => FollowUpEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'follow_up_id' })
  followUp?: Relation<FollowUpEntity>;

  @Column({ type: 'text', nullable: true })
  description: string | null;
}
