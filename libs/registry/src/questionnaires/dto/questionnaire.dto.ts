import { ApiProperty } from '@nestjs/swagger';
import {
  INSTRUMENTS,
  INVITATION_STATUS,
  INVITED_TIMEPOINTS,
  type Instrument,
  type InvitationStatus,
  type InvitedTimepoint,
} from '@ilr/clinical';
import { Field } from '../../common/validation.js';
import { DraftPromAnswersDto, PromAnswersDto } from '../../follow-ups/dto/follow-up.dto.js';

// ---- Staff view ----

export class InvitationView {
  @ApiProperty({ enum: INVITED_TIMEPOINTS, enumName: 'InvitedTimepoint' }) timepoint: InvitedTimepoint;
  @ApiProperty({ format: 'date', description: "The first day of the timepoint's window" }) opensOn: string;
  @ApiProperty({ format: 'date', description: 'The last day: the link stops working after it' }) closesOn: string;
  @ApiProperty({ enum: INVITATION_STATUS.codes, enumName: 'InvitationStatus' }) status: InvitationStatus;
  @ApiProperty({ type: String, nullable: true, description: 'Why it is not invited, cancelled, declined or bounced' })
  reason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The first invitation mail' })
  sentAt: string | null;
  @ApiProperty({ description: 'Reminders sent so far' }) remindersSent: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The latest mail of any kind' })
  lastSentAt: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) nextReminderOn: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) openedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) answeredAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The visit the answers became' })
  followUpId: string | null;
  @ApiProperty({ enum: INSTRUMENTS, enumName: 'Instrument', isArray: true }) instruments: Instrument[];
  @ApiProperty({ description: 'The caller may send it now (not sent yet, window open, patient invitable)' })
  canSendNow: boolean;
  @ApiProperty({ description: 'The caller may send it again with a fresh link' }) canResend: boolean;
}

export class InvitationEligibility {
  @ApiProperty() invitable: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Why the patient cannot be invited' })
  reason: string | null;
}

export class CaseInvitationsResponse {
  @ApiProperty({ type: [InvitationView] }) items: InvitationView[];
  @ApiProperty({ type: InvitationEligibility }) eligibility: InvitationEligibility;
}

// ---- The patient's questionnaire (public, by token) ----

export class QuestionnaireResponse {
  @ApiProperty({ enum: INVITED_TIMEPOINTS, enumName: 'InvitedTimepoint' }) timepoint: InvitedTimepoint;
  @ApiProperty({ example: '6 weeks' }) timepointLabel: string;
  @ApiProperty({ example: 'March 2025', description: 'All the page says about the operation' }) operationMonth: string;
  @ApiProperty({ format: 'date', description: 'The link works until this day' }) closesOn: string;
  @ApiProperty({ enum: INSTRUMENTS, enumName: 'Instrument', isArray: true, description: 'In the order to show them' })
  instruments: Instrument[];
  @ApiProperty({ type: DraftPromAnswersDto, description: 'The answers saved so far' })
  answers: DraftPromAnswersDto;
}

export class SaveQuestionnaireProgressRequest {
  @Field.nested(() => DraftPromAnswersDto) answers: DraftPromAnswersDto;
}

export class SubmitQuestionnaireRequest {
  @Field.nested(() => PromAnswersDto, {
    description: 'Every instrument asked for, complete enough to score (DOMAIN.md § PROMs)',
  })
  answers: PromAnswersDto;
}

export class SubmitQuestionnaireResponse {
  @ApiProperty({ enum: ['answered'] }) status: 'answered';
}

export class UnsubscribeRequest {
  @Field.string({ minLength: 1, maxLength: 64, description: 'The token of the unsubscribe link' }) token: string;
}

export class UnsubscribeResponse {
  @ApiProperty({ enum: ['declined'] }) promInvitations: 'declined';
}

export class QuestionnaireScheduleItem {
  @ApiProperty({ enum: INVITED_TIMEPOINTS, enumName: 'InvitedTimepoint' }) timepoint: InvitedTimepoint;
  @ApiProperty({ description: 'Days after surgery the invitation opens' }) opensOnDay: number;
  @ApiProperty({ description: 'Days after surgery it closes (inclusive)' }) closesOnDay: number;
  @ApiProperty({ enum: INSTRUMENTS, enumName: 'Instrument', isArray: true }) instruments: Instrument[];
}

export class QuestionnaireScheduleResponse {
  @ApiProperty({ type: [QuestionnaireScheduleItem] }) timepoints: QuestionnaireScheduleItem[];
  @ApiProperty({ type: [Number], description: 'Days after the first invitation mail on which reminders go' })
  reminderDays: number[];
  @ApiProperty() source: string;
  @ApiProperty() version: string;
}
