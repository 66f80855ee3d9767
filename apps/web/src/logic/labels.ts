// Words for every code and field the forms show. Code labels come from the vocabularies in
// libs/clinical (the same ones the data dictionary serves); the form never shows a raw code.
import {
  ACTIVITY_LEVEL,
  ANESTHESIA,
  BROOKER_GRADE,
  CAPSULAR_LEVEL,
  CAPSULOTOMY,
  CLAVIEN_DINDO,
  COMPLICATION_TYPE,
  CONSERVATIVE_TREATMENT,
  HO_PROPHYLAXIS,
  IMPINGEMENT_PROCEDURE,
  INDICATION,
  INJECTION_RESPONSE,
  INTRAOPERATIVE_EVENT,
  POSITIONING,
  PORTAL,
  PRIOR_SURGERY,
  RECURRENCE_CAUSE,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  REOPERATION_PROCEDURE,
  SEX,
  SIDE,
  SINK_GRADE,
  type Vocabulary,
} from '@ilr/clinical';

export interface Option<C extends string = string> {
  value: C;
  label: string;
}

// Two vocabulary labels point at an API field name ("Other (see portalsOther)"): on a form the
// text box sits next to the choice, so the choice reads "Other".
const FORM_OVERRIDES: Record<string, Record<string, string>> = {
  Portal: { other: 'Other' },
  ComplicationType: { other: 'Other' },
};

export function codeLabel<C extends string>(vocabulary: Vocabulary<C>, code: C): string {
  return FORM_OVERRIDES[vocabulary.name]?.[code] ?? vocabulary.labels[code];
}

export function optionsOf<C extends string>(vocabulary: Vocabulary<C>): Option<C>[] {
  return vocabulary.codes.map((code) => ({ value: code, label: codeLabel(vocabulary, code) }));
}

// The vocabularies a case or complication form offers, by the field that uses them.
export const CASE_VOCABULARIES = {
  'patient.sex': SEX,
  side: SIDE,
  indications: INDICATION,
  priorIpsilateralSurgery: PRIOR_SURGERY,
  'diagnosticInjection.response': INJECTION_RESPONSE,
  conservativeTreatment: CONSERVATIVE_TREATMENT,
  activityLevel: ACTIVITY_LEVEL,
  anesthesia: ANESTHESIA,
  positioning: POSITIONING,
  portals: PORTAL,
  capsulotomy: CAPSULOTOMY,
  'release.location': RELEASE_LOCATION,
  'release.capsularLevel': CAPSULAR_LEVEL,
  'release.technique': RELEASE_TECHNIQUE,
  'impingementRepair.procedures': IMPINGEMENT_PROCEDURE,
  hoProphylaxis: HO_PROPHYLAXIS,
  intraoperativeEvents: INTRAOPERATIVE_EVENT,
} as const;

export const COMPLICATION_VOCABULARIES = {
  type: COMPLICATION_TYPE,
  brookerGrade: BROOKER_GRADE,
  recurrenceCause: RECURRENCE_CAUSE,
  sinkGrade: SINK_GRADE,
  clavienDindo: CLAVIEN_DINDO,
  'reoperation.procedure': REOPERATION_PROCEDURE,
} as const;

// Numeric scales with no vocabulary in libs/clinical: their words live here.
export const TENDON_BUNDLE_OPTIONS: Option[] = [
  { value: '1', label: 'One (single tendon)' },
  { value: '2', label: 'Two (bifid)' },
  { value: '3', label: 'Three (trifid)' },
];
export const ICRS_OPTIONS: Option[] = [
  { value: '0', label: '0: normal' },
  { value: '1', label: '1: nearly normal (superficial lesions)' },
  { value: '2', label: '2: abnormal (lesions under half the cartilage depth)' },
  { value: '3', label: '3: severely abnormal (over half the depth)' },
  { value: '4', label: '4: severely abnormal (through the subchondral bone)' },
];
export const TONNIS_OPTIONS: Option[] = [
  { value: '0', label: '0: no signs of osteoarthritis' },
  { value: '1', label: '1: increased sclerosis, slight narrowing' },
  { value: '2', label: '2: small cysts, moderate narrowing' },
  { value: '3', label: '3: large cysts, severe narrowing or deformity' },
];
// A yes/no question that may also be left unanswered (`null` in the API: not recorded).
export const YES_NO_UNKNOWN: Option<'yes' | 'no' | 'unknown'>[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: 'unknown', label: 'Not recorded' },
];
// A list that is either not recorded (`null`), recorded as none (`[]`), or some items.
export const LIST_RECORDING: Option<'unknown' | 'none' | 'some'>[] = [
  { value: 'unknown', label: 'Not recorded' },
  { value: 'none', label: 'None' },
  { value: 'some', label: 'Yes' },
];

// Whether the case is for a patient typed here or for one already registered (browser only).
export const PATIENT_MODE_OPTIONS: Option<'new' | 'existing'>[] = [
  { value: 'new', label: 'Find by MRN, or register a new patient' },
  { value: 'existing', label: 'A registered patient, by registry id' },
];

// Every field a case or complication form shows, by its API path (field errors use the same paths).
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  patientMode: 'How to find the patient',
  patientId: 'Patient registry id',
  patient: 'Patient',
  'patient.mrn': 'Medical record number (MRN)',
  'patient.birthDate': 'Date of birth',
  'patient.sex': 'Sex',
  'patient.email': "Patient's email for questionnaires",
  'patient.promInvitations': 'Questionnaire emails',
  surgeonId: 'Surgeon',
  surgeryDate: 'Date of surgery',
  side: 'Side',
  indications: 'Indications',
  priorIpsilateralSurgery: 'Previous surgery on this hip',
  diagnosticInjection: 'Diagnostic injection',
  'diagnosticInjection.performed': 'Diagnostic injection performed',
  'diagnosticInjection.response': 'Response to the injection',
  symptomDurationMonths: 'Symptom duration (months)',
  conservativeTreatment: 'Conservative treatment tried',
  examination: 'Examination',
  'examination.snappingReproduced': 'Examination reproduced the snap',
  activityLevel: 'Activity level',
  heightCm: 'Height (cm)',
  weightKg: 'Weight (kg)',
  imaging: 'Imaging',
  'imaging.alphaAngle': 'Alpha angle (degrees)',
  'imaging.lateralCenterEdgeAngle': 'Lateral centre-edge angle (degrees)',
  'imaging.tonnisGrade': 'Tönnis grade',
  'imaging.dynamicUltrasoundSnapping': 'Snapping on dynamic ultrasound',
  'imaging.bifidTendonOnMri': 'Bifid tendon on MRI',
  anesthesia: 'Anaesthesia',
  positioning: 'Positioning',
  tractionMinutes: 'Traction time (minutes)',
  operativeMinutes: 'Operative time (minutes)',
  portals: 'Portals',
  portalsOther: 'Other portal',
  capsulotomy: 'Capsulotomy',
  capsularClosure: 'Capsule closed',
  findings: 'Findings',
  'findings.labralTear': 'Labral tear',
  'findings.anteriorLabralLesionAtPsoas': "Anterior labral lesion at the psoas (the '3 o'clock' lesion)",
  'findings.cam': 'Cam morphology',
  'findings.pincer': 'Pincer morphology',
  'findings.acetabularCartilageIcrs': 'Acetabular cartilage (ICRS grade)',
  'findings.femoralCartilageIcrs': 'Femoral cartilage (ICRS grade)',
  release: 'Release',
  'release.location': 'Release location',
  'release.capsularLevel': 'Capsular level',
  'release.technique': 'Release technique',
  'release.tendonBundles': 'Tendon bundles',
  'release.allBundlesReleased': 'All bundles released',
  impingementRepair: 'Impingement repair',
  'impingementRepair.performed': 'Impingement repair performed',
  'impingementRepair.procedures': 'Impingement procedures',
  hoProphylaxis: 'Heterotopic ossification prophylaxis',
  intraoperativeEvents: 'Intra-operative events',
  notes: 'Notes',
  // Complication form.
  type: 'Complication',
  onsetDate: 'Date of onset',
  brookerGrade: 'Brooker grade',
  recurrenceCause: 'Cause of the recurrence',
  sinkGrade: 'Sink grade',
  clavienDindo: 'Clavien–Dindo grade',
  reoperation: 'Reoperation',
  'reoperation.date': 'Date of reoperation',
  'reoperation.procedure': 'Reoperation procedure',
  resolvedDate: 'Date resolved',
  followUpId: 'Found at visit',
  description: 'Description',
};

export function fieldLabel(path: string): string {
  return FIELD_LABELS[path] ?? FIELD_LABELS[path.replace(/\[\d+\]$/, '')] ?? 'This field';
}
