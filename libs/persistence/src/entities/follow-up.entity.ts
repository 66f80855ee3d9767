import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import {
  CONTACT_MODE,
  type ContactMode,
  RETURNED_TO_SPORT,
  type ReturnedToSport,
  SNAPPING,
  type Snapping,
  TIMEPOINTS,
  type Timepoint,
} from '@ilr/clinical';
import { CaseEntity } from './case.entity.js';
import { ClinicalRecordColumns } from './clinical-record.js';
import { oneOf } from './checks.js';

// A follow-up visit. `timepoint` and `day` (days after surgery) are derived from the visit and
// surgery dates by the clinical core, stored so that reports group and pick visits in SQL, and
// re-derived whenever the case's surgery date changes.
@Entity({ name: 'follow_ups' })
@Check('CHK_follow_ups_timepoint', oneOf('timepoint', TIMEPOINTS))
@Check('CHK_follow_ups_contact_mode', oneOf('contact_mode', CONTACT_MODE.codes))
@Check('CHK_follow_ups_snapping', oneOf('snapping', SNAPPING.codes, true))
@Check('CHK_follow_ups_returned_to_sport', oneOf('returned_to_sport', RETURNED_TO_SPORT.codes, true))
@Check('CHK_follow_ups_groin_pain', '"groin_pain" IS NULL OR ("groin_pain" >= 0 AND "groin_pain" <= 10)')
@Check('CHK_follow_ups_strength', '"hip_flexion_strength" IS NULL OR ("hip_flexion_strength" BETWEEN 0 AND 5)')
@Check('CHK_follow_ups_satisfaction', '"satisfaction" IS NULL OR ("satisfaction" BETWEEN 0 AND 10)')
@Check('CHK_follow_ups_creator', `"created_by" IS NOT NULL OR "contact_mode" = 'remote_questionnaire'`)
@Index('IDX_follow_ups_case', ['caseId', 'timepoint', 'day'], { where: '"deleted_at" IS NULL' })
export class FollowUpEntity extends ClinicalRecordColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // The user who recorded the visit; null for a visit the patient answered themself (contactMode
  // remote_questionnaire, from an emailed link), whose audit event names system:questionnaire.
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id' })
  case?: Relation<CaseEntity>;

  @Column({ name: 'visit_date', type: 'date' })
  visitDate: string;

  @Column({ type: 'integer' })
  day: number;

  @Column({ type: 'varchar', length: 16 })
  timepoint: Timepoint;

  @Column({ name: 'contact_mode', type: 'varchar', length: 32 })
  contactMode: ContactMode;

  @Column({ type: 'varchar', length: 16, nullable: true })
  snapping: Snapping | null;

  @Column({ name: 'groin_pain', type: 'double precision', nullable: true })
  groinPain: number | null;

  @Column({ name: 'hip_flexion_strength', type: 'smallint', nullable: true })
  hipFlexionStrength: number | null;

  @Column({ name: 'returned_to_sport', type: 'varchar', length: 16, nullable: true })
  returnedToSport: ReturnedToSport | null;

  @Column({ type: 'smallint', nullable: true })
  satisfaction: number | null;
}
