import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type Relation,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import {
  INVITED_TIMEPOINTS,
  type InvitedTimepoint,
  type Instrument,
  STORED_INVITATION_STATUSES,
  type StoredInvitationStatus,
} from '@ilr/clinical';
import { CaseEntity } from './case.entity.js';
import { FollowUpEntity } from './follow-up.entity.js';
import { oneOf } from './checks.js';

// A patient's invitation to answer one timepoint's questionnaire (step 12): at most one per case and
// timepoint (the unique constraint makes two schedulers on one database create one), valid while the
// timepoint's window is open. The scheduler claims due rows with FOR UPDATE SKIP LOCKED.
@Entity({ name: 'questionnaire_invitations' })
@Unique('UQ_questionnaire_invitations_case_timepoint', ['caseId', 'timepoint'])
@Check('CHK_questionnaire_invitations_timepoint', oneOf('timepoint', INVITED_TIMEPOINTS))
@Check('CHK_questionnaire_invitations_status', oneOf('status', STORED_INVITATION_STATUSES))
@Check('CHK_questionnaire_invitations_reminders', '"reminders_sent" BETWEEN 0 AND 10')
@Index('IDX_questionnaire_invitations_open', ['status', 'closesOn'], {
  where: `"status" IN ('scheduled', 'sent', 'reminded')`,
})
export class QuestionnaireInvitationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id' })
  case?: Relation<CaseEntity>;

  @Column({ type: 'varchar', length: 8 })
  timepoint: InvitedTimepoint;

  @Column({ name: 'opens_on', type: 'date' })
  opensOn: string;

  @Column({ name: 'closes_on', type: 'date' })
  closesOn: string;

  @Column({ type: 'varchar', length: 16 })
  status: StoredInvitationStatus;

  // Why it is cancelled, bounced or declined, as a code (`visit_recorded`, `consent_withdrawn`, `smtp_550`).
  @Column({ name: 'status_reason', type: 'varchar', length: 64, nullable: true })
  statusReason: string | null;

  // The instruments asked for, fixed when the invitation was made (the schedule may change later).
  @Column({ type: 'text', array: true })
  instruments: Instrument[];

  // The clinical date of the first mail: reminders count their days from it.
  @Column({ name: 'first_sent_on', type: 'date', nullable: true })
  firstSentOn: string | null;

  @Column({ name: 'first_sent_at', type: 'timestamptz', nullable: true })
  firstSentAt: Date | null;

  @Column({ name: 'last_sent_at', type: 'timestamptz', nullable: true })
  lastSentAt: Date | null;

  @Column({ name: 'reminders_sent', type: 'smallint', default: 0 })
  remindersSent: number;

  // Every mail of this invitation (invitation, reminders, resends).
  @Column({ name: 'mails_sent', type: 'smallint', default: 0 })
  mailsSent: number;

  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true })
  openedAt: Date | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'follow_up_id', type: 'uuid', nullable: true })
  followUpId: string | null;

  @ManyToOne(() => FollowUpEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'follow_up_id' })
  followUp?: Relation<FollowUpEntity>;

  // The patient's answers so far (progress kept between visits to the link); cleared when submitted.
  @Column({ type: 'jsonb', nullable: true })
  progress: Record<string, unknown> | null;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

// A link's secret, stored only as its SHA-256 (the token is 32 random bytes, so no key is needed to make
// the hash useless to whoever reads the table). `answer` links open the questionnaire; `unsubscribe`
// links set the patient's promInvitations to declined. Removed when the invitation is answered or ends.
@Entity({ name: 'questionnaire_tokens' })
@Check('CHK_questionnaire_tokens_purpose', oneOf('purpose', ['answer', 'unsubscribe']))
@Index('IDX_questionnaire_tokens_invitation', ['invitationId'])
export class QuestionnaireTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ name: 'invitation_id', type: 'uuid' })
  invitationId: string;

  @ManyToOne(() => QuestionnaireInvitationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'invitation_id' })
  invitation?: Relation<QuestionnaireInvitationEntity>;

  @Column({ type: 'varchar', length: 16 })
  purpose: 'answer' | 'unsubscribe';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
