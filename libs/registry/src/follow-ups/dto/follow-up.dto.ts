import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import {
  CONTACT_MODE,
  INSTRUMENTS,
  type ContactMode,
  MHHS_ITEMS,
  RETURNED_TO_SPORT,
  type ReturnedToSport,
  SNAPPING,
  type Snapping,
  TIMEPOINTS,
  type Timepoint,
} from '@ilr/clinical';
import { Field } from '../../common/validation.js';

const opt = { optional: true, nullable: true };
const mhhsCodes = <K extends keyof typeof MHHS_ITEMS>(item: K) =>
  Object.keys(MHHS_ITEMS[item]) as Array<keyof (typeof MHHS_ITEMS)[K] & string>;

// Modified Harris Hip Score answers, as codes (DOMAIN.md § PROMs lists each code's points).
export class MhhsAnswersDto {
  @Field.code(mhhsCodes('pain'), { ...opt, enumName: 'MhhsPain' }) pain?: string | null;
  @Field.code(mhhsCodes('limp'), { ...opt, enumName: 'MhhsLimp' }) limp?: string | null;
  @Field.code(mhhsCodes('support'), { ...opt, enumName: 'MhhsSupport' }) support?: string | null;
  @Field.code(mhhsCodes('distance'), { ...opt, enumName: 'MhhsDistance' }) distance?: string | null;
  @Field.code(mhhsCodes('stairs'), { ...opt, enumName: 'MhhsStairs' }) stairs?: string | null;
  @Field.code(mhhsCodes('shoesSocks'), { ...opt, enumName: 'MhhsShoesSocks' }) shoesSocks?: string | null;
  @Field.code(mhhsCodes('sitting'), { ...opt, enumName: 'MhhsSitting' }) sitting?: string | null;
  @Field.code(mhhsCodes('publicTransport'), { ...opt, enumName: 'MhhsPublicTransport' }) publicTransport?:
    string | null;
}

export class Eq5d5lDto {
  @Field.int({ min: 1, max: 5 }) mobility: number;
  @Field.int({ min: 1, max: 5 }) selfCare: number;
  @Field.int({ min: 1, max: 5 }) usualActivities: number;
  @Field.int({ min: 1, max: 5 }) painDiscomfort: number;
  @Field.int({ min: 1, max: 5 }) anxietyDepression: number;
  @Field.int({ min: 0, max: 100, description: 'Visual analogue scale' }) vas: number;
}

// The item-by-item instruments, shared by complete answers (PromAnswersDto) and a questionnaire's
// progress (DraftPromAnswersDto), which differ only in EQ-5D-5L.
abstract class PromItemAnswersDto {
  @Field.nested(() => MhhsAnswersDto, { ...opt, description: 'All 8 items are needed for a score' })
  mhhs?: MhhsAnswersDto | null;
  @Field.items({
    ...opt,
    length: 12,
    min: 0,
    max: 100,
    integer: false,
    description: 'iHOT-12: 12 items 0–100 (100 = no problem); at least 10 answered',
  })
  ihot12?: Array<number | null> | null;
  @Field.items({
    ...opt,
    length: 17,
    min: 0,
    max: 4,
    integer: true,
    allowNa: true,
    description: 'HOS-ADL: 17 items 4 (no difficulty) … 0 (unable) or na; at least 14 answered',
  })
  hosAdl?: Array<number | 'na' | null> | null;
  @Field.items({
    ...opt,
    length: 9,
    min: 0,
    max: 4,
    integer: true,
    allowNa: true,
    description: 'HOS-Sport: 9 items 4 … 0 or na; at least 7 answered',
  })
  hosSport?: Array<number | 'na' | null> | null;
  @Field.items({
    ...opt,
    length: 20,
    min: 0,
    max: 4,
    integer: true,
    description: 'NAHS: 20 items 4 (none) … 0 (extreme); at least 18 answered',
  })
  nahs?: Array<number | null> | null;
}

// Each instrument item by item; null marks an unanswered item. On PATCH an instrument sent
// replaces the stored one, and null removes it.
export class PromAnswersDto extends PromItemAnswersDto {
  @Field.nested(() => Eq5d5lDto, { ...opt, description: 'Stored as given; no index is computed' })
  eq5d5l?: Eq5d5lDto | null;
}

export class CreateFollowUpRequest {
  @Field.date({ description: 'Not in the future; on or before surgery makes it the preop visit' }) visitDate: string;
  @Field.code(CONTACT_MODE.codes, { enumName: 'ContactMode' }) contactMode: ContactMode;
  @Field.code(SNAPPING.codes, { ...opt, enumName: 'Snapping' }) snapping?: Snapping | null;
  @Field.number({ ...opt, min: 0, max: 10, maxDecimals: 1, description: 'NRS, one decimal' }) groinPain?: number | null;
  @Field.int({ ...opt, min: 0, max: 5, description: 'MRC grade' }) hipFlexionStrength?: number | null;
  @Field.code(RETURNED_TO_SPORT.codes, { ...opt, enumName: 'ReturnedToSport' })
  returnedToSport?: ReturnedToSport | null;
  @Field.int({ ...opt, min: 0, max: 10 }) satisfaction?: number | null;
  @Field.nested(() => PromAnswersDto, { optional: true }) proms?: PromAnswersDto;
}

export class UpdateFollowUpRequest {
  @Field.date({ optional: true }) visitDate?: string;
  @Field.code(CONTACT_MODE.codes, { optional: true, enumName: 'ContactMode' }) contactMode?: ContactMode;
  @Field.code(SNAPPING.codes, { ...opt, enumName: 'Snapping' }) snapping?: Snapping | null;
  @Field.number({ ...opt, min: 0, max: 10, maxDecimals: 1 }) groinPain?: number | null;
  @Field.int({ ...opt, min: 0, max: 5 }) hipFlexionStrength?: number | null;
  @Field.code(RETURNED_TO_SPORT.codes, { ...opt, enumName: 'ReturnedToSport' })
  returnedToSport?: ReturnedToSport | null;
  @Field.int({ ...opt, min: 0, max: 10 }) satisfaction?: number | null;
  @Field.nested(() => PromAnswersDto, { optional: true }) proms?: PromAnswersDto;
}

export class DeleteRecordRequest {
  @Field.string({ minLength: 1, maxLength: 2000 }) reason: string;
}

export class PromResultResponse {
  @ApiProperty({
    description: 'The answers as given: a list of item answers, or the mHHS codes by item',
    oneOf: [
      {
        type: 'array',
        description: 'Item by item: a number, `na` (not applicable) or null (unanswered)',
        items: { anyOf: [{ type: 'number' }, { type: 'string', enum: ['na'] }, { type: 'null' }] },
      },
      {
        type: 'object',
        description: 'By item: the mHHS answer codes, the EQ-5D-5L levels and VAS; null where unanswered',
        additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
      },
    ],
  })
  items: unknown;
  @ApiProperty({ type: Number, nullable: true, description: '0–100, higher is better; unrounded' }) score:
    number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The raw sum (mHHS 0–91)' }) raw: number | null;
  @ApiProperty() answered: number;
  @ApiPropertyOptional({ description: 'Why there is no score' }) unscoredReason?: string;
  @ApiProperty() scoringVersion: string;
}

@ApiExtraModels(PromResultResponse)
export class FollowUpResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ format: 'date' }) visitDate: string;
  @ApiProperty({ description: 'Days after surgery' }) day: number;
  @ApiProperty({
    enum: TIMEPOINTS,
    enumName: 'Timepoint',
    description: 'Derived from the visit and surgery dates; read-only',
  })
  timepoint: Timepoint;
  @ApiProperty({ enum: CONTACT_MODE.codes, enumName: 'ContactMode' }) contactMode: ContactMode;
  @ApiProperty({ enum: SNAPPING.codes, enumName: 'Snapping', nullable: true }) snapping: Snapping | null;
  @ApiProperty({ type: Number, nullable: true }) groinPain: number | null;
  @ApiProperty({ type: Number, nullable: true }) hipFlexionStrength: number | null;
  @ApiProperty({ enum: RETURNED_TO_SPORT.codes, enumName: 'ReturnedToSport', nullable: true })
  returnedToSport: ReturnedToSport | null;
  @ApiProperty({ type: Number, nullable: true }) satisfaction: number | null;
  @ApiProperty({
    description: 'Per instrument sent: items, score, raw, answered, scoringVersion',
    type: 'object',
    properties: Object.fromEntries(
      INSTRUMENTS.map((instrument) => [instrument, { $ref: getSchemaPath(PromResultResponse) } as never]),
    ),
    additionalProperties: false,
  })
  proms: Record<string, PromResultResponse>;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

// EQ-5D-5L as far as a patient has answered it (a questionnaire's saved progress).
export class DraftEq5d5lDto {
  @Field.int({ ...opt, min: 1, max: 5 }) mobility?: number | null;
  @Field.int({ ...opt, min: 1, max: 5 }) selfCare?: number | null;
  @Field.int({ ...opt, min: 1, max: 5 }) usualActivities?: number | null;
  @Field.int({ ...opt, min: 1, max: 5 }) painDiscomfort?: number | null;
  @Field.int({ ...opt, min: 1, max: 5 }) anxietyDepression?: number | null;
  @Field.int({ ...opt, min: 0, max: 100, description: 'Visual analogue scale' }) vas?: number | null;
}

// PROM answers as far as they go: every item may still be unanswered (null), EQ-5D-5L included.
export class DraftPromAnswersDto extends PromItemAnswersDto {
  @Field.nested(() => DraftEq5d5lDto, { ...opt, description: 'Any level may still be null' })
  eq5d5l?: DraftEq5d5lDto | null;
}
