import {
  ACTIVITY_LEVEL, ageInYears, ANESTHESIA, bodyMassIndex, CAPSULAR_LEVEL, CAPSULOTOMY, CASE_STATUS, CLAVIEN_DINDO, COMPLICATION_TYPE,
  CONSERVATIVE_TREATMENT, CONTACT_MODE, daysBetween, HO_PROPHYLAXIS, IMPINGEMENT_PROCEDURE, INDICATION, INJECTION_RESPONSE,
  INTRAOPERATIVE_EVENT, PORTAL, POSITIONING, PRIOR_SURGERY, RECURRENCE_CAUSE, RELEASE_LOCATION, RELEASE_TECHNIQUE,
  REOPERATION_PROCEDURE, RETURNED_TO_SPORT, SCHEDULED_TIMEPOINTS, SEX, SIDE, SNAPPING, TIMEPOINTS, type Vocabulary,
} from '@ilr/clinical';
import { EXPORT_INSTRUMENTS, type ExportDataset, factColumn } from '@ilr/persistence';

// The export columns, defined once: the exports write them, the data dictionary describes them.
// Each column says how it is de-identified (DOMAIN.md § De-identification; HIPAA Safe Harbor):
// - kept: not identifying, exported as is
// - pseudonymised: HMAC-SHA256 export id (first 16 hex digits)
// - day: a date turned into days after that case's surgery
// - year: the surgery year only
// - age: whole years at surgery, 90 and over as "90+"
// - identified_only: MRN, exact dates, registry codes, database ids and free text; only with identified=true (admin)
export type Deidentification = 'kept' | 'pseudonymised' | 'day' | 'year' | 'age' | 'identified_only';
export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'code' | 'codes' | 'date' | 'json';

export interface ExportContext {
  pseudonym(id: string): string;
  decryptMrn(ciphertext: Buffer): string;
}

export interface ExportColumn {
  name: string;
  type: ColumnType;
  description: string;
  unit?: string;
  codes?: Vocabulary<string>;
  deidentification: Deidentification;
  value(row: Record<string, any>, context: ExportContext): unknown;
}

export const DEIDENTIFICATION_RULES: Record<Deidentification, string> = {
  kept: 'Not identifying; exported as recorded.',
  pseudonymised: 'First 16 hex digits of HMAC-SHA256(export key, database id): stable across exports, not reversible without the key.',
  day: 'Date replaced by the number of days after the case\'s surgery.',
  year: 'Only the year of surgery.',
  age: 'Whole years at surgery; 90 and over as "90+".',
  identified_only: 'Identifying (MRN, exact date, registry code, database id or free text): only in identified exports (admin).',
};

const day = (row: Record<string, any>, date: string | null | undefined) => (date ? daysBetween(row.surgery_date, date) : null);
const list = (value: string[] | null | undefined) => value ?? [];

function col(name: string, type: ColumnType, deidentification: Deidentification, description: string, value: ExportColumn['value'], extra: Partial<ExportColumn> = {}): ExportColumn {
  return { name, type, deidentification, description, value, ...extra };
}
const code = (name: string, vocabulary: Vocabulary<string>, description: string, field: string) =>
  col(name, 'code', 'kept', description, (r) => r[field] ?? null, { codes: vocabulary });
const codes = (name: string, vocabulary: Vocabulary<string>, description: string, field: string) =>
  col(name, 'codes', 'kept', `${description} (semicolon-separated in CSV)`, (r) => list(r[field]), { codes: vocabulary });

// Keys shared by the three datasets.
const KEYS: ExportColumn[] = [
  col('exportId', 'string', 'pseudonymised', 'Case export id', (r, c) => c.pseudonym(r.case_id ?? r.id)),
  col('patientExportId', 'string', 'pseudonymised', 'Patient export id (links bilateral cases)', (r, c) => c.pseudonym(r.patient_id)),
];
const IDENTIFIED_KEYS: ExportColumn[] = [
  col('caseId', 'string', 'identified_only', 'Case database id', (r) => r.case_id ?? r.id),
  col('registryCode', 'string', 'identified_only', 'Registry code (ILR-000123)', (r) => r.registry_code),
];

const TIMEPOINT_LABEL: Record<string, string> = { preop: 'preoperative', '6w': '6-week', '3m': '3-month', '6m': '6-month', '1y': '1-year', '2y': '2-year', '5y': '5-year' };
const INSTRUMENT_LABEL: Record<string, string> = { mhhs: 'mHHS', ihot12: 'iHOT-12', hosAdl: 'HOS-ADL', hosSport: 'HOS-Sport', nahs: 'NAHS' };

const CASE_COLUMNS: ExportColumn[] = [
  ...KEYS,
  col('surgeonExportId', 'string', 'pseudonymised', 'Surgeon export id', (r, c) => c.pseudonym(r.surgeon_id)),
  ...IDENTIFIED_KEYS,
  col('mrn', 'string', 'identified_only', 'Medical record number', (r, c) => c.decryptMrn(r.mrn_ciphertext)),
  col('birthDate', 'date', 'identified_only', 'Birth date', (r) => r.birth_date),
  col('surgeryDate', 'date', 'identified_only', 'Surgery date', (r) => r.surgery_date),
  col('surgeryYear', 'integer', 'year', 'Year of surgery', (r) => Number(r.surgery_date.slice(0, 4))),
  col('ageAtSurgery', 'string', 'age', 'Age at surgery in whole years; "90+" from 90', (r) => {
    // Always text, so the column has one type: "34", "89", "90+".
    const age = ageInYears(r.birth_date, r.surgery_date);
    return age >= 90 ? '90+' : String(age);
  }, { unit: 'years' }),
  code('sex', SEX, 'Sex (FHIR administrative gender)', 'sex'),
  code('status', CASE_STATUS, 'Record status', 'status'),
  code('side', SIDE, 'Operated side', 'side'),
  codes('indications', INDICATION, 'Indications', 'indications'),
  codes('priorIpsilateralSurgery', PRIOR_SURGERY, 'Prior ipsilateral surgery', 'prior_ipsilateral_surgery'),
  col('injectionPerformed', 'boolean', 'kept', 'Diagnostic injection performed', (r) => r.injection_performed),
  code('injectionResponse', INJECTION_RESPONSE, 'Response to the diagnostic injection', 'injection_response'),
  col('symptomDurationMonths', 'integer', 'kept', 'Symptom duration', (r) => r.symptom_duration_months, { unit: 'months' }),
  codes('conservativeTreatment', CONSERVATIVE_TREATMENT, 'Conservative treatment tried', 'conservative_treatment'),
  col('snappingReproduced', 'boolean', 'kept', 'Examination reproduced the snap', (r) => r.exam_snapping_reproduced),
  code('activityLevel', ACTIVITY_LEVEL, 'Activity level', 'activity_level'),
  col('heightCm', 'number', 'kept', 'Height', (r) => r.height_cm, { unit: 'cm' }),
  col('weightKg', 'number', 'kept', 'Weight', (r) => r.weight_kg, { unit: 'kg' }),
  col('bmi', 'number', 'kept', 'Body-mass index, derived', (r) => bodyMassIndex(r.height_cm, r.weight_kg), { unit: 'kg/m2' }),
  col('alphaAngle', 'number', 'kept', 'Alpha angle', (r) => r.imaging_alpha_angle, { unit: 'degrees' }),
  col('lateralCenterEdgeAngle', 'number', 'kept', 'Lateral center-edge angle', (r) => r.imaging_lcea, { unit: 'degrees' }),
  col('tonnisGrade', 'integer', 'kept', 'Tönnis grade 0–3', (r) => r.imaging_tonnis_grade),
  col('dynamicUltrasoundSnapping', 'boolean', 'kept', 'Snapping seen on dynamic ultrasound', (r) => r.imaging_dynamic_us_snapping),
  col('bifidTendonOnMri', 'boolean', 'kept', 'Bifid tendon on MRI', (r) => r.imaging_bifid_tendon_on_mri),
  code('anesthesia', ANESTHESIA, 'Anaesthesia', 'anesthesia'),
  code('positioning', POSITIONING, 'Patient positioning', 'positioning'),
  col('tractionMinutes', 'integer', 'kept', 'Traction time (0 = none)', (r) => r.traction_minutes, { unit: 'minutes' }),
  col('operativeMinutes', 'integer', 'kept', 'Operative time', (r) => r.operative_minutes, { unit: 'minutes' }),
  codes('portals', PORTAL, 'Portals', 'portals'),
  col('portalsOther', 'string', 'identified_only', "Free text naming the 'other' portal", (r) => r.portals_other),
  code('capsulotomy', CAPSULOTOMY, 'Capsulotomy', 'capsulotomy'),
  col('capsularClosure', 'boolean', 'kept', 'Capsule closed', (r) => r.capsular_closure),
  col('labralTear', 'boolean', 'kept', 'Labral tear found', (r) => r.findings_labral_tear),
  col('anteriorLabralLesionAtPsoas', 'boolean', 'kept', 'Anterior ("3 o\'clock") labral lesion at the psoas', (r) => r.findings_anterior_labral_lesion_at_psoas),
  col('cam', 'boolean', 'kept', 'Cam morphology', (r) => r.findings_cam),
  col('pincer', 'boolean', 'kept', 'Pincer morphology', (r) => r.findings_pincer),
  col('acetabularCartilageIcrs', 'integer', 'kept', 'Acetabular cartilage ICRS grade 0–4', (r) => r.findings_acetabular_icrs),
  col('femoralCartilageIcrs', 'integer', 'kept', 'Femoral cartilage ICRS grade 0–4', (r) => r.findings_femoral_icrs),
  code('releaseLocation', RELEASE_LOCATION, 'Where the tendon was released', 'release_location'),
  code('capsularLevel', CAPSULAR_LEVEL, 'Compartment of a capsular release', 'release_capsular_level'),
  code('releaseTechnique', RELEASE_TECHNIQUE, 'Release technique', 'release_technique'),
  col('tendonBundles', 'integer', 'kept', 'Tendon bundles (2 = bifid, 3 = trifid)', (r) => r.release_tendon_bundles),
  col('allBundlesReleased', 'boolean', 'kept', 'All bundles released (when more than one)', (r) => r.release_all_bundles_released),
  col('impingementRepair', 'boolean', 'kept', 'Concurrent impingement repair performed', (r) => r.impingement_performed),
  codes('impingementProcedures', IMPINGEMENT_PROCEDURE, 'Concurrent procedures', 'impingement_procedures'),
  code('hoProphylaxis', HO_PROPHYLAXIS, 'Heterotopic ossification prophylaxis', 'ho_prophylaxis'),
  codes('intraoperativeEvents', INTRAOPERATIVE_EVENT, 'Intraoperative events', 'intraoperative_events'),
  col('notes', 'string', 'identified_only', 'Free-text notes', (r) => r.notes),
  col('deceasedDay', 'integer', 'day', 'Days from surgery to death', (r) => day(r, r.deceased_date), { unit: 'days' }),
  col('lastContactDay', 'integer', 'day', 'Days from surgery to the last contact (visit, complication date or death); 0 when nothing follows surgery', (r) => r.last_contact_day, { unit: 'days' }),
  // Field names are worked out once here, not for every row.
  ...SCHEDULED_TIMEPOINTS.flatMap((t) => {
    const [visitDay, snapping, pain] = [factColumn.visitDay(t), factColumn.snapping(t), factColumn.groinPain(t)];
    return [
      col(`visitDay_${t}`, 'integer', 'day', `Days after surgery of the ${TIMEPOINT_LABEL[t]} visit used (nearest the target day)`, (r) => r[visitDay], { unit: 'days' }),
      col(`snapping_${t}`, 'code', 'kept', `Snapping at the ${TIMEPOINT_LABEL[t]} visit`, (r) => r[snapping] ?? null, { codes: SNAPPING }),
      col(`groinPain_${t}`, 'number', 'kept', `Groin pain NRS 0–10 at the ${TIMEPOINT_LABEL[t]} visit`, (r) => r[pain] ?? null),
      ...EXPORT_INSTRUMENTS.map((i) => {
        const score = factColumn.score(i, t);
        return col(`${i}_${t}`, 'number', 'kept', `${INSTRUMENT_LABEL[i]} score 0–100 at the ${TIMEPOINT_LABEL[t]} visit`, (r) => r[score] ?? null);
      }),
    ];
  }),
  ...COMPLICATION_TYPE.codes.map((type) => {
    const flag = factColumn.hasComplication(type);
    return col(`complication_${type}`, 'boolean', 'kept', `Any complication: ${COMPLICATION_TYPE.labels[type]}`, (r) => r[flag] === true);
  }),
  col('maxBrookerGrade', 'integer', 'kept', 'Highest Brooker grade of heterotopic ossification (1–4)', (r) => r.max_brooker_grade),
  col('firstComplicationDay', 'integer', 'day', 'Days from surgery to the first complication', (r) => r.first_complication_day, { unit: 'days' }),
  col('recurrenceDay', 'integer', 'day', 'Days from surgery to the first recurrent snapping', (r) => r.recurrence_day, { unit: 'days' }),
  col('reoperationDay', 'integer', 'day', 'Days from surgery to the first reoperation', (r) => r.reoperation_day, { unit: 'days' }),
  col('conversionDay', 'integer', 'day', 'Days from surgery to conversion to arthroplasty', (r) => r.conversion_day, { unit: 'days' }),
];

const FOLLOW_UP_COLUMNS: ExportColumn[] = [
  ...KEYS,
  ...IDENTIFIED_KEYS,
  col('followUpId', 'string', 'identified_only', 'Visit database id', (r) => r.follow_up_id),
  col('visitDate', 'date', 'identified_only', 'Visit date', (r) => r.visit_date),
  col('visitDay', 'integer', 'day', 'Days after surgery', (r) => r.day, { unit: 'days' }),
  col('timepoint', 'code', 'kept', 'Timepoint derived from the day (registry windows)', (r) => r.timepoint, {
    codes: { name: 'Timepoint', codes: TIMEPOINTS, labels: Object.fromEntries(TIMEPOINTS.map((t) => [t, TIMEPOINT_LABEL[t] ?? 'outside every window'])) },
  }),
  code('contactMode', CONTACT_MODE, 'How the visit took place', 'contact_mode'),
  code('snapping', SNAPPING, 'Snapping', 'snapping'),
  col('groinPain', 'number', 'kept', 'Groin pain NRS 0–10', (r) => r.groin_pain),
  col('hipFlexionStrength', 'integer', 'kept', 'Hip flexion strength, MRC 0–5', (r) => r.hip_flexion_strength),
  code('returnedToSport', RETURNED_TO_SPORT, 'Returned to sport', 'returned_to_sport'),
  col('satisfaction', 'integer', 'kept', 'Satisfaction 0–10', (r) => r.satisfaction),
  ...EXPORT_INSTRUMENTS.map((i) => {
    const score = `${i}_score`;
    return col(`${i}Score`, 'number', 'kept', `${INSTRUMENT_LABEL[i]} score 0–100 (null when too few items were answered)`, (r) => r[score] ?? null);
  }),
  ...(['mobility', 'selfCare', 'usualActivities', 'painDiscomfort', 'anxietyDepression', 'vas'] as const).map((dim) =>
    col(`eq5d5l_${dim}`, 'integer', 'kept', dim === 'vas' ? 'EQ-5D-5L visual analogue scale 0–100' : `EQ-5D-5L ${dim} level 1–5`, (r) => r.eq5d5l?.[dim] ?? null)),
];

const COMPLICATION_COLUMNS: ExportColumn[] = [
  ...KEYS,
  ...IDENTIFIED_KEYS,
  col('complicationId', 'string', 'identified_only', 'Complication database id', (r) => r.id),
  code('type', COMPLICATION_TYPE, 'Complication type', 'type'),
  col('onsetDate', 'date', 'identified_only', 'Onset date', (r) => r.onset_date),
  col('onsetDay', 'integer', 'day', 'Days from surgery to onset', (r) => day(r, r.onset_date), { unit: 'days' }),
  col('brookerGrade', 'integer', 'kept', 'Brooker grade 1–4 (heterotopic ossification)', (r) => r.brooker_grade),
  code('recurrenceCause', RECURRENCE_CAUSE, 'Cause of recurrent snapping', 'recurrence_cause'),
  col('sinkGrade', 'integer', 'kept', 'Sink grade 1–5', (r) => r.sink_grade),
  code('clavienDindo', CLAVIEN_DINDO, 'Clavien–Dindo grade', 'clavien_dindo'),
  col('reoperationDate', 'date', 'identified_only', 'Reoperation date', (r) => r.reoperation_date),
  col('reoperationDay', 'integer', 'day', 'Days from surgery to the reoperation', (r) => day(r, r.reoperation_date), { unit: 'days' }),
  code('reoperationProcedure', REOPERATION_PROCEDURE, 'Reoperation procedure', 'reoperation_procedure'),
  col('resolvedDate', 'date', 'identified_only', 'Resolution date', (r) => r.resolved_date),
  col('resolvedDay', 'integer', 'day', 'Days from surgery to resolution', (r) => day(r, r.resolved_date), { unit: 'days' }),
  col('description', 'string', 'identified_only', 'Free-text description', (r) => r.description),
];

export const EXPORT_COLUMNS: Record<ExportDataset, ExportColumn[]> = {
  cases: CASE_COLUMNS,
  'follow-ups': FOLLOW_UP_COLUMNS,
  complications: COMPLICATION_COLUMNS,
};

export function columnsFor(dataset: ExportDataset, identified: boolean): ExportColumn[] {
  return EXPORT_COLUMNS[dataset].filter((c) => identified || c.deidentification !== 'identified_only');
}

export function rowValues(columns: ExportColumn[], row: Record<string, any>, context: ExportContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column.name] = column.value(row, context) ?? null;
  return out;
}
