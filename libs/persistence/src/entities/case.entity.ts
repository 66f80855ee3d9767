import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import {
  ACTIVITY_LEVEL,
  ANESTHESIA,
  CAPSULAR_LEVEL,
  CAPSULOTOMY,
  CASE_STATUS,
  CONSERVATIVE_TREATMENT,
  HO_PROPHYLAXIS,
  IMPINGEMENT_PROCEDURE,
  INDICATION,
  INJECTION_RESPONSE,
  INTRAOPERATIVE_EVENT,
  PORTAL,
  POSITIONING,
  PRIOR_SURGERY,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  SIDE,
  type ActivityLevel,
  type Anesthesia,
  type CapsularLevel,
  type Capsulotomy,
  type CaseStatus,
  type ConservativeTreatment,
  type HoProphylaxis,
  type ImpingementProcedure,
  type Indication,
  type InjectionResponse,
  type IntraoperativeEvent,
  type Portal,
  type Positioning,
  type PriorSurgery,
  type ReleaseLocation,
  type ReleaseTechnique,
  type Side,
} from '@ilr/clinical';
import { oneOf, subsetOf } from './checks.js';
import { ClinicalRecordColumns } from './clinical-record.js';
import { PatientEntity } from './patient.entity.js';
import { UserEntity } from './user.entity.js';

// One hip, one operation. The case is stored flat — one column per clinical field, arrays of codes
// as text[] — so that reports filter and group in SQL and the database checks every code.
// Indexes serve the list filters of API.md; all are partial on live (not deleted) cases.
@Entity({ name: 'cases' })
@Check('CHK_cases_side', oneOf('side', SIDE.codes))
@Check('CHK_cases_status', oneOf('status', CASE_STATUS.codes))
@Check('CHK_cases_indications', subsetOf('indications', INDICATION.codes, 1))
@Check('CHK_cases_prior_surgery', subsetOf('prior_ipsilateral_surgery', PRIOR_SURGERY.codes))
@Check('CHK_cases_injection_response', oneOf('injection_response', INJECTION_RESPONSE.codes, true))
@Check('CHK_cases_conservative', subsetOf('conservative_treatment', CONSERVATIVE_TREATMENT.codes))
@Check('CHK_cases_activity_level', oneOf('activity_level', ACTIVITY_LEVEL.codes, true))
@Check('CHK_cases_anesthesia', oneOf('anesthesia', ANESTHESIA.codes))
@Check('CHK_cases_positioning', oneOf('positioning', POSITIONING.codes))
@Check('CHK_cases_portals', subsetOf('portals', PORTAL.codes, 1))
@Check('CHK_cases_capsulotomy', oneOf('capsulotomy', CAPSULOTOMY.codes))
@Check('CHK_cases_release_location', oneOf('release_location', RELEASE_LOCATION.codes))
@Check('CHK_cases_capsular_level', oneOf('release_capsular_level', CAPSULAR_LEVEL.codes, true))
@Check('CHK_cases_release_technique', oneOf('release_technique', RELEASE_TECHNIQUE.codes))
@Check('CHK_cases_impingement_procedures', subsetOf('impingement_procedures', IMPINGEMENT_PROCEDURE.codes))
@Check('CHK_cases_ho_prophylaxis', oneOf('ho_prophylaxis', HO_PROPHYLAXIS.codes))
@Check('CHK_cases_intraoperative_events', subsetOf('intraoperative_events', INTRAOPERATIVE_EVENT.codes))
@Check('CHK_cases_minutes', '"operative_minutes" >= "traction_minutes"')
@Check('CHK_cases_capsular_level_iff', `("release_location" = 'capsular') = ("release_capsular_level" IS NOT NULL)`)
@Check('CHK_cases_closure', `NOT ("capsulotomy" = 'none' AND "capsular_closure")`)
@Check('CHK_cases_signed', `("status" = 'signed') = ("signed_at" IS NOT NULL)`)
@Index('IDX_cases_list', ['surgeryDate', 'registryCode'], { where: '"deleted_at" IS NULL' })
@Index('IDX_cases_surgeon', ['surgeonId', 'surgeryDate'], { where: '"deleted_at" IS NULL' })
@Index('IDX_cases_patient', ['patientId'])
@Index('IDX_cases_release_location', ['releaseLocation', 'surgeryDate'], { where: '"deleted_at" IS NULL' })
@Index('IDX_cases_impingement', ['impingementPerformed', 'surgeryDate'], { where: '"deleted_at" IS NULL' })
@Index('IDX_cases_status', ['status', 'surgeryDate'], { where: '"deleted_at" IS NULL' })
@Index('IDX_cases_side', ['side', 'surgeryDate'], { where: '"deleted_at" IS NULL' })
// registryCode prefix search (`q`) uses a text_pattern_ops index made by hand in the migration.
@Index('IDX_cases_registry_code_prefix', { synchronize: false })
export class CaseEntity extends ClinicalRecordColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  // `ILR-000123` from the sequence case_registry_code_seq: never reused, even after a rollback.
  @Column({ name: 'registry_code', type: 'varchar', length: 16, unique: true })
  registryCode: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @ManyToOne(() => PatientEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id' })
  patient?: Relation<PatientEntity>;

  @Column({ name: 'surgeon_id', type: 'uuid' })
  surgeonId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'surgeon_id' })
  surgeon?: Relation<UserEntity>;

  @Column({ type: 'varchar', length: 8 })
  status: CaseStatus;

  @Column({ name: 'surgery_date', type: 'date' })
  surgeryDate: string;

  @Column({ type: 'varchar', length: 8 })
  side: Side;

  @Column({ type: 'text', array: true })
  indications: Indication[];

  // NULL: not recorded; an empty list: none.
  @Column({ name: 'prior_ipsilateral_surgery', type: 'text', array: true, nullable: true })
  priorIpsilateralSurgery: PriorSurgery[] | null;

  @Column({ name: 'injection_performed', type: 'boolean' })
  injectionPerformed: boolean;

  @Column({ name: 'injection_response', type: 'varchar', length: 32, nullable: true })
  injectionResponse: InjectionResponse | null;

  @Column({ name: 'symptom_duration_months', type: 'integer', nullable: true })
  symptomDurationMonths: number | null;

  // NULL: not recorded; an empty list: none.
  @Column({ name: 'conservative_treatment', type: 'text', array: true, nullable: true })
  conservativeTreatment: ConservativeTreatment[] | null;

  @Column({ name: 'exam_snapping_reproduced', type: 'boolean', nullable: true })
  examSnappingReproduced: boolean | null;

  @Column({ name: 'activity_level', type: 'varchar', length: 32, nullable: true })
  activityLevel: ActivityLevel | null;

  @Column({ name: 'height_cm', type: 'double precision', nullable: true })
  heightCm: number | null;

  @Column({ name: 'weight_kg', type: 'double precision', nullable: true })
  weightKg: number | null;

  @Column({ name: 'imaging_alpha_angle', type: 'double precision', nullable: true })
  imagingAlphaAngle: number | null;

  @Column({ name: 'imaging_lcea', type: 'double precision', nullable: true })
  imagingLateralCenterEdgeAngle: number | null;

  @Column({ name: 'imaging_tonnis_grade', type: 'smallint', nullable: true })
  imagingTonnisGrade: number | null;

  @Column({ name: 'imaging_dynamic_us_snapping', type: 'boolean', nullable: true })
  imagingDynamicUltrasoundSnapping: boolean | null;

  @Column({ name: 'imaging_bifid_tendon_on_mri', type: 'boolean', nullable: true })
  imagingBifidTendonOnMri: boolean | null;

  @Column({ type: 'varchar', length: 32 })
  anesthesia: Anesthesia;

  @Column({ type: 'varchar', length: 16 })
  positioning: Positioning;

  @Column({ name: 'traction_minutes', type: 'integer' })
  tractionMinutes: number;

  @Column({ name: 'operative_minutes', type: 'integer' })
  operativeMinutes: number;

  @Column({ type: 'text', array: true })
  portals: Portal[];

  @Column({ name: 'portals_other', type: 'varchar', length: 200, nullable: true })
  portalsOther: string | null;

  @Column({ type: 'varchar', length: 16 })
  capsulotomy: Capsulotomy;

  @Column({ name: 'capsular_closure', type: 'boolean' })
  capsularClosure: boolean;

  @Column({ name: 'findings_labral_tear', type: 'boolean' })
  findingsLabralTear: boolean;

  @Column({ name: 'findings_anterior_labral_lesion_at_psoas', type: 'boolean' })
  findingsAnteriorLabralLesionAtPsoas: boolean;

  @Column({ name: 'findings_cam', type: 'boolean' })
  findingsCam: boolean;

  @Column({ name: 'findings_pincer', type: 'boolean' })
  findingsPincer: boolean;

  @Column({ name: 'findings_acetabular_icrs', type: 'smallint', nullable: true })
  findingsAcetabularCartilageIcrs: number | null;

  @Column({ name: 'findings_femoral_icrs', type: 'smallint', nullable: true })
  findingsFemoralCartilageIcrs: number | null;

  @Column({ name: 'release_location', type: 'varchar', length: 32 })
  releaseLocation: ReleaseLocation;

  @Column({ name: 'release_capsular_level', type: 'varchar', length: 32, nullable: true })
  releaseCapsularLevel: CapsularLevel | null;

  @Column({ name: 'release_technique', type: 'varchar', length: 32 })
  releaseTechnique: ReleaseTechnique;

  @Column({ name: 'release_tendon_bundles', type: 'smallint' })
  releaseTendonBundles: number;

  @Column({ name: 'release_all_bundles_released', type: 'boolean', nullable: true })
  releaseAllBundlesReleased: boolean | null;

  @Column({ name: 'impingement_performed', type: 'boolean' })
  impingementPerformed: boolean;

  @Column({ name: 'impingement_procedures', type: 'text', array: true })
  impingementProcedures: ImpingementProcedure[];

  @Column({ name: 'ho_prophylaxis', type: 'varchar', length: 16 })
  hoProphylaxis: HoProphylaxis;

  // NULL: not recorded; an empty list: none.
  @Column({ name: 'intraoperative_events', type: 'text', array: true, nullable: true })
  intraoperativeEvents: IntraoperativeEvent[] | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'signed_at', type: 'timestamptz', nullable: true })
  signedAt: Date | null;

  @Column({ name: 'signed_by', type: 'uuid', nullable: true })
  signedBy: string | null;
}
