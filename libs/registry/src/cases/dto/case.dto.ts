import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CASE_STATUS,
  type CaseData,
  type CaseStatus,
  RELEASE_LOCATION,
  type ReleaseLocation,
  SCHEDULED_TIMEPOINTS,
  type ScheduledTimepoint,
  SIDE,
  type Side,
} from '@ilr/clinical';
import { ComplicationResponse } from '../../complications/dto/complication.dto.js';
import { Field } from '../../common/validation.js';
import { FollowUpResponse } from '../../follow-ups/dto/follow-up.dto.js';
import { PatientInput } from '../../patients/dto/patient.dto.js';
import { CaseFields, CaseFieldsPatch } from './case-fields.dto.js';

export class CreateCaseRequest extends CaseFields {
  @Field.uuid({ optional: true, description: 'An existing patient; or send `patient` instead' })
  patientId?: string;

  @Field.nested(() => PatientInput, { optional: true, description: 'Found by MRN, else created with the case' })
  patient?: PatientInput;

  @Field.uuid({
    optional: true,
    description: 'Defaults to the caller; admin and registry staff may name another surgeon',
  })
  surgeonId?: string;
}

export class UpdateCaseRequest extends CaseFieldsPatch {
  @Field.string({ optional: true, minLength: 1, maxLength: 2000, description: 'Required to change a signed case' })
  amendmentReason?: string;
}

export class DeleteCaseRequest {
  @Field.string({ minLength: 1, maxLength: 2000 })
  reason: string;
}

export class CaseListQuery {
  @Field.uuid({ optional: true }) surgeonId?: string;
  @Field.uuid({ optional: true, description: "One patient's cases (a surgeon still sees only their own)" })
  patientId?: string;
  @Field.date({ optional: true, description: 'Surgery date from (inclusive)' }) from?: string;
  @Field.date({ optional: true, description: 'Surgery date to (inclusive)' }) to?: string;
  @Field.code(SIDE.codes, { optional: true, enumName: 'Side' }) side?: Side;
  @Field.code(RELEASE_LOCATION.codes, { optional: true, enumName: 'ReleaseLocation' })
  releaseLocation?: ReleaseLocation;
  @Field.boolean({ optional: true, query: true }) impingementRepair?: boolean;
  @Field.code(CASE_STATUS.codes, { optional: true, enumName: 'CaseStatus' }) status?: CaseStatus;
  @Field.string({ optional: true, maxLength: 16, description: 'Registry code prefix, e.g. ILR-0001' }) q?: string;
  @Field.int({ optional: true, query: true, min: 1, max: 500, description: 'Page size (default 50)' }) limit?: number;
  @Field.string({ optional: true, maxLength: 512 }) cursor?: string;
}

// A case as the API returns it: the DOMAIN.md fields as sent, plus what the server manages.
export class CaseResponse extends CaseFields {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ILR-000123' }) registryCode: string;
  @ApiProperty({ format: 'uuid' }) patientId: string;
  @ApiProperty({ format: 'uuid' }) surgeonId: string;
  @ApiProperty({ enum: CASE_STATUS.codes, enumName: 'CaseStatus' }) status: CaseStatus;
  @ApiProperty() version: number;
  @ApiProperty({ type: Number, nullable: true, description: 'kg/m², derived from height and weight' }) bmi:
    number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) signedAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) signedBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiPropertyOptional({
    enum: [...SCHEDULED_TIMEPOINTS],
    isArray: true,
    enumName: 'ScheduledTimepoint',
    description:
      "Overdue follow-ups (GET /cases and GET /cases/:id): scheduled timepoints, in order, whose window has closed by the registry's today with no visit in it, the patient alive and consenting (the rule of the data-quality report's overdue list). Empty: none overdue.",
  })
  overdueTimepoints?: ScheduledTimepoint[];
  @ApiPropertyOptional({ type: [FollowUpResponse], description: 'Follow-up visits (GET /cases/:id)' })
  followUps?: FollowUpResponse[];
  @ApiPropertyOptional({ type: [ComplicationResponse], description: 'Complications (GET /cases/:id)' })
  complications?: ComplicationResponse[];
}

export type CaseView = CaseData & Omit<CaseResponse, keyof CaseFields>;

export class CaseListResponse {
  @ApiProperty({ type: [CaseResponse] }) items: CaseResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

// Any JSON value: a field's value in a history entry has the type of that field.
const ANY_JSON = [
  { type: 'string' },
  { type: 'number' },
  { type: 'boolean' },
  { type: 'object' },
  { type: 'array', items: {} },
  { type: 'null' },
];

export class HistoryChange {
  @ApiProperty() field: string;
  @ApiProperty({ description: 'The value before (null: none)', anyOf: ANY_JSON }) from: unknown;
  @ApiProperty({ description: 'The value after (null: none)', anyOf: ANY_JSON }) to: unknown;
}

export class HistoryEntry {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({
    description: 'The user who acted',
    type: 'object',
    required: ['id', 'displayName'],
    properties: {
      id: { type: 'string', format: 'uuid', nullable: true },
      displayName: { type: 'string', nullable: true },
    },
  })
  actor: {
    id: string | null;
    displayName: string | null;
  };
  @ApiProperty({ enum: ['create', 'update', 'amend', 'sign', 'delete', 'read'] }) action: string;
  @ApiProperty({ enum: ['case', 'patient', 'follow_up', 'complication'] }) entity: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) entityId: string | null;
  @ApiProperty({ type: [HistoryChange] }) changes: HistoryChange[];
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: String, nullable: true }) correlationId: string | null;
}

export class CaseHistoryResponse {
  @ApiProperty({ type: [HistoryEntry] }) items: HistoryEntry[];
  @ApiProperty({
    description:
      "Whether this case's events verify: each re-hashes to its stored hash and links to the event before it (no edited or removed event there). The whole chain: audit_events_verify().",
  })
  chainIntact: boolean;
}
