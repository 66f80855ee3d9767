import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
import { Field } from '../../common/validation.js';

const opt = { optional: true, nullable: true };

export class ReoperationDto {
  @Field.date({ description: 'On or after onsetDate' }) date: string;
  @Field.code(REOPERATION_PROCEDURE.codes, { enumName: 'ReoperationProcedure' }) procedure: ReoperationProcedure;
}

function build(partial: boolean) {
  const req = { optional: partial };
  class ComplicationFields {
    @Field.code(COMPLICATION_TYPE.codes, { ...req, enumName: 'ComplicationType' }) type: ComplicationType;
    @Field.date({ ...req, description: 'On or after surgery, not in the future' }) onsetDate: string;
    @Field.int({ ...opt, min: 1, max: 4, description: 'Brooker 1973 (I–IV); required iff heterotopic ossification' })
    brookerGrade?: number | null;
    @Field.code(RECURRENCE_CAUSE.codes, {
      ...opt,
      enumName: 'RecurrenceCause',
      description: 'Required iff recurrent snapping',
    })
    recurrenceCause?: RecurrenceCause | null;
    @Field.int({ ...req, min: 1, max: 5, description: 'Sink 2011/2012 grade; at least 3 with a reoperation' })
    sinkGrade: number;
    @Field.code(CLAVIEN_DINDO.codes, { ...opt, enumName: 'ClavienDindo' }) clavienDindo?: ClavienDindo | null;
    @Field.nested(() => ReoperationDto, {
      ...opt,
      description: 'A conversion to arthroplasty needs procedure total_hip_arthroplasty',
    })
    reoperation?: ReoperationDto | null;
    @Field.date({ ...opt, description: 'On or after onsetDate' }) resolvedDate?: string | null;
    @Field.uuid({ ...opt, description: 'The visit where it was found (same case)' }) followUpId?: string | null;
    @Field.string({
      ...opt,
      minLength: 1,
      maxLength: 2000,
      description: "Free text; required for type 'other'; never exported de-identified",
    })
    description?: string | null;
  }
  Object.defineProperty(ComplicationFields, 'name', {
    value: partial ? 'UpdateComplicationRequest' : 'CreateComplicationRequest',
  });
  return ComplicationFields;
}

export const CreateComplicationRequest = build(false);
export type CreateComplicationRequest = InstanceType<typeof CreateComplicationRequest>;
export const UpdateComplicationRequest = build(true);
export type UpdateComplicationRequest = InstanceType<typeof UpdateComplicationRequest>;

export class ComplicationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ enum: COMPLICATION_TYPE.codes, enumName: 'ComplicationType' }) type: ComplicationType;
  @ApiProperty({ format: 'date' }) onsetDate: string;
  @ApiProperty({ description: 'Days from surgery to onset' }) onsetDay: number;
  @ApiProperty({ type: Number, nullable: true }) brookerGrade: number | null;
  @ApiProperty({ enum: RECURRENCE_CAUSE.codes, enumName: 'RecurrenceCause', nullable: true })
  recurrenceCause: RecurrenceCause | null;
  @ApiProperty() sinkGrade: number;
  @ApiProperty({ enum: CLAVIEN_DINDO.codes, enumName: 'ClavienDindo', nullable: true })
  clavienDindo: ClavienDindo | null;
  @ApiProperty({ type: ReoperationDto, nullable: true }) reoperation: {
    date: string;
    procedure: ReoperationProcedure;
  } | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) resolvedDate: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) followUpId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Free text; absent for de-identified readers' })
  description?: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
