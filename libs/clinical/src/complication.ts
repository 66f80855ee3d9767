import { vocabularyOf } from './vocabulary.js';

export const COMPLICATION_TYPE = vocabularyOf('ComplicationType', {
  heterotopic_ossification: 'Heterotopic ossification',
  recurrent_snapping: 'Recurrent snapping',
  persistent_groin_pain: 'Persistent groin pain',
  hip_flexor_weakness: 'Hip flexor weakness',
  lfcn_neuropraxia: 'Lateral femoral cutaneous nerve neuropraxia',
  pudendal_neuropraxia: 'Pudendal neuropraxia',
  femoral_nerve_palsy: 'Femoral nerve palsy',
  sciatic_nerve_palsy: 'Sciatic nerve palsy',
  deep_vein_thrombosis: 'Deep vein thrombosis',
  pulmonary_embolism: 'Pulmonary embolism',
  superficial_infection: 'Superficial infection',
  deep_infection: 'Deep infection',
  instability_dislocation: 'Instability / dislocation',
  femoral_neck_fracture: 'Femoral neck fracture',
  conversion_to_arthroplasty: 'Conversion to arthroplasty',
  other: 'Other (see description)',
});
export const BROOKER_GRADE = vocabularyOf(
  'BrookerGrade',
  {
    '1': 'I: islands of bone in the soft tissue',
    '2': 'II: spurs leaving at least 1 cm between opposing surfaces',
    '3': 'III: spurs leaving less than 1 cm',
    '4': 'IV: apparent bony ankylosis',
  },
  'Brooker 1973',
);
export const RECURRENCE_CAUSE = vocabularyOf('RecurrenceCause', {
  incomplete_release: 'Incomplete release',
  untreated_bony_abnormality: 'Untreated bony abnormality',
  bifid_tendon: 'Bifid tendon',
  unknown: 'Unknown',
});
export const SINK_GRADE = vocabularyOf(
  'SinkGrade',
  {
    '1': '1: no change in the routine postoperative course',
    '2': '2: change in outpatient management',
    '3': '3: invasive surgical or radiological treatment',
    '4': '4: long-term morbidity or life-threatening',
    '5': '5: death',
  },
  'Sink 2011/2012 hip-preservation complication grading',
);
export const CLAVIEN_DINDO = vocabularyOf('ClavienDindo', {
  I: 'I',
  II: 'II',
  IIIa: 'IIIa',
  IIIb: 'IIIb',
  IVa: 'IVa',
  IVb: 'IVb',
  V: 'V',
});
export const REOPERATION_PROCEDURE = vocabularyOf('ReoperationProcedure', {
  revision_release: 'Revision release',
  revision_arthroscopy: 'Revision arthroscopy',
  ho_excision: 'Excision of heterotopic ossification',
  washout: 'Washout',
  total_hip_arthroplasty: 'Total hip arthroplasty',
  other: 'Other',
});

export type ComplicationType = (typeof COMPLICATION_TYPE.codes)[number];
export type RecurrenceCause = (typeof RECURRENCE_CAUSE.codes)[number];
export type ClavienDindo = (typeof CLAVIEN_DINDO.codes)[number];
export type ReoperationProcedure = (typeof REOPERATION_PROCEDURE.codes)[number];

export interface ComplicationData {
  type: ComplicationType;
  onsetDate: string;
  brookerGrade?: number | null;
  recurrenceCause?: RecurrenceCause | null;
  sinkGrade: number;
  clavienDindo?: ClavienDindo | null;
  reoperation?: { date: string; procedure: ReoperationProcedure } | null;
  resolvedDate?: string | null;
  followUpId?: string | null;
  description?: string | null;
}

export interface ComplicationRuleContext {
  surgeryDate: string;
  today: string;
  // The case id of the visit named by followUpId (null when it names no visit), to check "same case".
  followUpCaseId?: string | null;
  caseId: string;
}

const absent = (value: unknown) => value === undefined || value === null;

// The consistency rules of DOMAIN.md § Complication, on a complete complication.
export function checkComplicationRules(
  c: ComplicationData,
  context: ComplicationRuleContext,
): Array<{ field: string; code: string; message: string }> {
  const out: Array<{ field: string; code: string; message: string }> = [];
  const add = (field: string, code: string, message: string) => out.push({ field, code, message });

  if (c.onsetDate < context.surgeryDate)
    add('onsetDate', 'before_surgery', 'onsetDate must be on or after the surgery date');
  if (c.onsetDate > context.today) add('onsetDate', 'in_future', 'onsetDate must not be in the future');

  const ho = c.type === 'heterotopic_ossification';
  if (ho && absent(c.brookerGrade))
    add('brookerGrade', 'required', 'brookerGrade is required for heterotopic ossification');
  if (!ho && !absent(c.brookerGrade))
    add('brookerGrade', 'not_allowed', 'brookerGrade is only given for heterotopic ossification');

  const recurrence = c.type === 'recurrent_snapping';
  if (recurrence && absent(c.recurrenceCause))
    add('recurrenceCause', 'required', 'recurrenceCause is required for recurrent snapping');
  if (!recurrence && !absent(c.recurrenceCause))
    add('recurrenceCause', 'not_allowed', 'recurrenceCause is only given for recurrent snapping');

  if (c.type === 'other' && !c.description?.trim())
    add('description', 'required', "description is required for type 'other'");

  if (c.reoperation) {
    if (c.reoperation.date < c.onsetDate)
      add('reoperation.date', 'before_onset', 'reoperation.date must be on or after onsetDate');
    if (c.reoperation.date > context.today)
      add('reoperation.date', 'in_future', 'reoperation.date must not be in the future');
    // A reoperation is an invasive treatment: Sink grade 3 or more.
    if (c.sinkGrade < 3)
      add('sinkGrade', 'reoperation_needs_grade_3', 'sinkGrade must be at least 3 when there was a reoperation');
  }
  if (c.type === 'conversion_to_arthroplasty' && c.reoperation?.procedure !== 'total_hip_arthroplasty') {
    add(
      'reoperation.procedure',
      'conversion_needs_arthroplasty',
      "a conversion to arthroplasty needs reoperation.procedure 'total_hip_arthroplasty'",
    );
  }

  if (!absent(c.resolvedDate)) {
    if (c.resolvedDate! < c.onsetDate)
      add('resolvedDate', 'before_onset', 'resolvedDate must be on or after onsetDate');
    if (c.resolvedDate! > context.today) add('resolvedDate', 'in_future', 'resolvedDate must not be in the future');
  }

  if (!absent(c.followUpId) && context.followUpCaseId !== context.caseId) {
    add('followUpId', 'other_case', 'followUpId must name a visit of the same case');
  }
  return out;
}
