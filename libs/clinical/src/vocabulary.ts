// The clinical vocabularies of DOMAIN.md. Codes are normative: the API, the database checks and
// the exports use them verbatim. Labels are for people (forms, the data dictionary).
export interface Vocabulary<C extends string> {
  name: string;
  codes: readonly C[];
  labels: Readonly<Record<C, string>>;
  source?: string;
}

export function vocabularyOf<C extends string>(
  name: string,
  labels: Record<C, string>,
  source?: string,
): Vocabulary<C> {
  return { name, codes: Object.keys(labels) as C[], labels, source };
}
const vocabulary = vocabularyOf;

export type CodeOf<V> = V extends Vocabulary<infer C> ? C : never;

export const SEX = vocabulary(
  'Sex',
  { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' },
  'FHIR administrative gender',
);
export const CONSENT = vocabulary('Consent', { given: 'Given', declined: 'Declined', withdrawn: 'Withdrawn' });
export const SIDE = vocabulary('Side', { left: 'Left', right: 'Right' });
export const INDICATION = vocabulary('Indication', {
  internal_snapping_hip: 'Internal snapping hip',
  iliopsoas_tendinopathy: 'Iliopsoas tendinopathy',
  iliopsoas_bursitis: 'Iliopsoas bursitis',
  iliopsoas_impingement: 'Iliopsoas impingement',
});
export const PRIOR_SURGERY = vocabulary('PriorIpsilateralSurgery', {
  hip_arthroscopy: 'Hip arthroscopy',
  iliopsoas_release: 'Iliopsoas release (revision case)',
  periacetabular_osteotomy: 'Periacetabular osteotomy',
  total_hip_arthroplasty: 'Total hip arthroplasty',
  other: 'Other',
});
export const INJECTION_RESPONSE = vocabulary('InjectionResponse', {
  complete_relief: 'Complete relief',
  partial_relief: 'Partial relief',
  no_relief: 'No relief',
});
export const CONSERVATIVE_TREATMENT = vocabulary('ConservativeTreatment', {
  rest: 'Rest',
  analgesics: 'Analgesics',
  nsaids: 'NSAIDs',
  physiotherapy: 'Physiotherapy',
  corticosteroid_injection: 'Corticosteroid injection',
});
export const ACTIVITY_LEVEL = vocabulary('ActivityLevel', {
  sedentary: 'Sedentary',
  recreational: 'Recreational',
  competitive_athlete: 'Competitive athlete',
});
export const ANESTHESIA = vocabulary('Anesthesia', {
  general: 'General',
  regional: 'Regional',
  general_and_regional: 'General and regional',
});
export const POSITIONING = vocabulary('Positioning', { supine: 'Supine', lateral: 'Lateral' });
export const PORTAL = vocabulary('Portal', {
  anterolateral: 'Anterolateral',
  mid_anterior: 'Mid-anterior',
  anterior: 'Anterior',
  posterolateral: 'Posterolateral',
  distal_anterolateral_accessory: 'Distal anterolateral accessory',
  proximal_anterolateral_accessory: 'Proximal anterolateral accessory',
  trochanteric_superior_accessory: 'Trochanteric superior accessory',
  trochanteric_inferior_accessory: 'Trochanteric inferior accessory',
  other: 'Other (see portalsOther)',
});
export const CAPSULOTOMY = vocabulary('Capsulotomy', {
  none: 'None',
  interportal: 'Interportal',
  t_capsulotomy: 'T-capsulotomy',
  periportal: 'Periportal',
});
export const RELEASE_LOCATION = vocabulary('ReleaseLocation', {
  capsular: 'Capsular (transcapsular)',
  lesser_trochanter: 'At the lesser trochanter',
});
export const CAPSULAR_LEVEL = vocabulary('CapsularLevel', {
  central_compartment: 'Central compartment',
  peripheral_compartment: 'Peripheral compartment',
});
export const RELEASE_TECHNIQUE = vocabulary('ReleaseTechnique', {
  fractional_lengthening: 'Fractional lengthening',
  complete_tenotomy: 'Complete tenotomy',
});
export const IMPINGEMENT_PROCEDURE = vocabulary('ImpingementProcedure', {
  labral_repair: 'Labral repair',
  labral_debridement: 'Labral debridement',
  labral_reconstruction: 'Labral reconstruction',
  femoral_osteochondroplasty: 'Femoral osteochondroplasty',
  acetabular_rim_trimming: 'Acetabular rim trimming',
  chondroplasty: 'Chondroplasty',
  microfracture: 'Microfracture',
  ligamentum_teres_debridement: 'Ligamentum teres debridement',
  loose_body_removal: 'Loose body removal',
  synovectomy: 'Synovectomy',
  other: 'Other',
});
export const LABRAL_PROCEDURES = ['labral_repair', 'labral_debridement', 'labral_reconstruction'] as const;
export const HO_PROPHYLAXIS = vocabulary(
  'HoProphylaxis',
  { none: 'None', nsaid: 'NSAID', radiotherapy: 'Radiotherapy' },
  'HO 5.6% with naproxen v 25.0% without (AJSM 2014)',
);
export const INTRAOPERATIVE_EVENT = vocabulary('IntraoperativeEvent', {
  iatrogenic_chondral_injury: 'Iatrogenic chondral injury',
  iatrogenic_labral_injury: 'Iatrogenic labral injury',
  instrument_breakage: 'Instrument breakage',
  fluid_extravasation: 'Fluid extravasation',
  conversion_to_open: 'Conversion to open surgery',
});
export const CASE_STATUS = vocabulary('CaseStatus', { draft: 'Draft', signed: 'Signed' });

export type Sex = CodeOf<typeof SEX>;
export type Consent = CodeOf<typeof CONSENT>;
export type Side = CodeOf<typeof SIDE>;
export type Indication = CodeOf<typeof INDICATION>;
export type PriorSurgery = CodeOf<typeof PRIOR_SURGERY>;
export type InjectionResponse = CodeOf<typeof INJECTION_RESPONSE>;
export type ConservativeTreatment = CodeOf<typeof CONSERVATIVE_TREATMENT>;
export type ActivityLevel = CodeOf<typeof ACTIVITY_LEVEL>;
export type Anesthesia = CodeOf<typeof ANESTHESIA>;
export type Positioning = CodeOf<typeof POSITIONING>;
export type Portal = CodeOf<typeof PORTAL>;
export type Capsulotomy = CodeOf<typeof CAPSULOTOMY>;
export type ReleaseLocation = CodeOf<typeof RELEASE_LOCATION>;
export type CapsularLevel = CodeOf<typeof CAPSULAR_LEVEL>;
export type ReleaseTechnique = CodeOf<typeof RELEASE_TECHNIQUE>;
export type ImpingementProcedure = CodeOf<typeof IMPINGEMENT_PROCEDURE>;
export type HoProphylaxis = CodeOf<typeof HO_PROPHYLAXIS>;
export type IntraoperativeEvent = CodeOf<typeof INTRAOPERATIVE_EVENT>;
export type CaseStatus = CodeOf<typeof CASE_STATUS>;
