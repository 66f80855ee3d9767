import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CONSENT, type Consent, PROM_INVITATIONS, type PromInvitations, SEX, type Sex } from '@ilr/clinical';
import { oneOf } from './checks.js';

@Entity({ name: 'patients' })
@Check('CHK_patients_sex', oneOf('sex', SEX.codes))
@Check('CHK_patients_consent', oneOf('consent', CONSENT.codes))
@Check('CHK_patients_prom_invitations', oneOf('prom_invitations', PROM_INVITATIONS.codes))
export class PatientEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // AES-256-GCM: 12-byte IV, 16-byte tag, then the ciphertext. Never stored or logged in clear.
  @Column({ name: 'mrn_ciphertext', type: 'bytea' })
  mrnCiphertext: Buffer;

  // HMAC-SHA256 of the normalised MRN: the only way to find a patient by MRN.
  @Column({ name: 'mrn_hash', type: 'char', length: 64, unique: true })
  mrnHash: string;

  @Column({ name: 'birth_date', type: 'date' })
  birthDate: string;

  @Column({ type: 'varchar', length: 16 })
  sex: Sex;

  @Column({ type: 'varchar', length: 16 })
  consent: Consent;

  @Column({ name: 'deceased_date', type: 'date', nullable: true })
  deceasedDate: string | null;

  // The email address for questionnaire invitations, encrypted like the MRN (IV ‖ tag ‖ ciphertext); null: none.
  @Column({ name: 'email_ciphertext', type: 'bytea', nullable: true })
  emailCiphertext: Buffer | null;

  // `declined` stops every invitation and reminder (DOMAIN.md § Patient).
  @Column({ name: 'prom_invitations', type: 'varchar', length: 16, default: 'allowed' })
  promInvitations: PromInvitations;

  // Who registered the patient (null for patients registered before this was kept): the creator
  // may see the patient before any case of theirs names it.
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'integer' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
