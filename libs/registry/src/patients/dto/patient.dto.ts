import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONSENT, type Consent, PROM_INVITATIONS, type PromInvitations, SEX, type Sex } from '@ilr/clinical';
import { Field } from '../../common/validation.js';

export const MRN_PATTERN = /^\S(.*\S)?$/;

// The identifying part of a patient, as sent inline with a case or to POST /patients.
export class PatientInput {
  @Field.string({
    minLength: 1,
    maxLength: 32,
    pattern: MRN_PATTERN,
    description: 'Medical record number; encrypted at rest',
    example: 'H1234567',
  })
  mrn: string;

  @Field.date({ description: 'Not in the future; age at surgery must be 10–100' })
  birthDate: string;

  @Field.code(SEX.codes, { enumName: 'Sex' })
  sex: Sex;

  @Field.email({
    optional: true,
    nullable: true,
    description:
      'For questionnaire invitations; identifying: encrypted at rest. Ignored when the MRN names a registered patient.',
  })
  email?: string | null;

  @Field.code(PROM_INVITATIONS.codes, {
    optional: true,
    enumName: 'PromInvitations',
    description: "Questionnaire invitations by email; defaults to 'allowed'",
  })
  promInvitations?: PromInvitations;
}

export class CreatePatientRequest extends PatientInput {
  @Field.code(CONSENT.codes, { optional: true, enumName: 'Consent', description: "Defaults to 'given'" })
  consent?: Consent;

  @Field.date({ optional: true, nullable: true })
  deceasedDate?: string | null;
}

export class UpdatePatientRequest {
  @Field.code(CONSENT.codes, { optional: true, enumName: 'Consent' })
  consent?: Consent;

  @Field.date({ optional: true, nullable: true, description: 'null clears it' })
  deceasedDate?: string | null;

  @Field.code(SEX.codes, { optional: true, enumName: 'Sex' })
  sex?: Sex;

  @Field.date({ optional: true })
  birthDate?: string;

  @Field.string({
    optional: true,
    minLength: 1,
    maxLength: 32,
    pattern: MRN_PATTERN,
    description: 'An MRN correction: admin only',
  })
  mrn?: string;

  @Field.email({ optional: true, nullable: true, description: 'null removes it' })
  email?: string | null;

  @Field.code(PROM_INVITATIONS.codes, {
    optional: true,
    enumName: 'PromInvitations',
    description: "'declined' ends every open invitation of the patient",
  })
  promInvitations?: PromInvitations;
}

export class PatientLookupQuery {
  @Field.string({ minLength: 1, maxLength: 32, description: 'Exact MRN' })
  mrn: string;
}

export class PatientResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiPropertyOptional({ description: 'Absent for de-identified readers' }) mrn?: string;
  @ApiPropertyOptional({ format: 'date', description: 'Absent for de-identified readers' }) birthDate?: string;
  @ApiProperty({ enum: SEX.codes, enumName: 'Sex' }) sex: Sex;
  @ApiProperty({ enum: CONSENT.codes, enumName: 'Consent' }) consent: Consent;
  @ApiProperty({ type: String, format: 'date', nullable: true }) deceasedDate: string | null;
  @ApiPropertyOptional({
    type: String,
    format: 'email',
    nullable: true,
    description: 'Absent for de-identified readers; null when none is on file',
  })
  email?: string | null;
  @ApiProperty({ enum: PROM_INVITATIONS.codes, enumName: 'PromInvitations' }) promInvitations: PromInvitations;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class PatientListResponse {
  @ApiProperty({ type: [PatientResponse] }) items: PatientResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: null;
}
