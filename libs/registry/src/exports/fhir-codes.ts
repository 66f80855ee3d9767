import {
  COMPLICATION_TYPE,
  type ComplicationType,
  type ReoperationProcedure,
  REOPERATION_PROCEDURE,
} from '@ilr/clinical';

// Standard codes written beside our own local codes in the FHIR export. Only codes checked against a
// published source are here (the source is named on each); where none was found the local code
// stands alone and the code is listed in LOCAL_ONLY below, with the reason. Never add a code from memory.
export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
// ICD-10-CM (the US clinical modification): DVT I82.4 exists there, not in WHO ICD-10.
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
// mCODE's laterality qualifier (HL7), for use on Procedure/Condition/Observation.bodySite; its value
// set holds SNOMED CT 7771000 Left, 24028007 Right, 51440002 Right and left, 399488007 Midline.
export const LATERALITY_EXTENSION = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier';
// FHIR R4 core extension: the cause of a Condition.
export const CONDITION_DUE_TO = 'http://hl7.org/fhir/StructureDefinition/condition-dueTo';

export interface Coding {
  system: string;
  code: string;
  display: string;
}

// SNOMED CT body structures and qualifiers.
export const BODY_SITE = {
  // Pre-existing in the export since step 5.
  iliopsoas: { system: SNOMED, code: '50061005', display: 'Iliopsoas muscle structure' },
  // Hip joint structure (body structure): SNOMED CT, as used in the SNOMED expression-template guide
  // ("Prosthetic arthroplasty of the hip: Procedure site = 24136001 |Hip joint structure|").
  hipJoint: { system: SNOMED, code: '24136001', display: 'Hip joint structure' },
} as const satisfies Record<string, Coding>;

// mCODE Laterality Qualifier value set (hl7.org/fhir/us/mcode/ValueSet-mcode-laterality-qualifier-vs).
export const LATERALITY = {
  left: { system: SNOMED, code: '7771000', display: 'Left' },
  right: { system: SNOMED, code: '24028007', display: 'Right' },
} as const satisfies Record<'left' | 'right', Coding>;

export const SURGICAL_PROCEDURE: Coding = { system: SNOMED, code: '387713003', display: 'Surgical procedure' };

// ICD-10-CM for complications (CMS ICD-10-CM tabular list; category-level codes, since the export
// does not carry the 7th-character encounter or the site detail a billable code needs).
export const COMPLICATION_CODES: Partial<Record<ComplicationType, Coding>> = {
  deep_vein_thrombosis: {
    system: ICD10CM,
    code: 'I82.4',
    display: 'Acute embolism and thrombosis of deep veins of lower extremity',
  },
  pulmonary_embolism: { system: ICD10CM, code: 'I26.9', display: 'Pulmonary embolism without acute cor pulmonale' },
  femoral_neck_fracture: { system: ICD10CM, code: 'S72.0', display: 'Fracture of head and neck of femur' },
  heterotopic_ossification: { system: ICD10CM, code: 'M61.5', display: 'Other ossification of muscle' },
  // G57.1 includes "Lateral cutaneous nerve of thigh syndrome".
  lfcn_neuropraxia: { system: ICD10CM, code: 'G57.1', display: 'Meralgia paresthetica' },
  femoral_nerve_palsy: { system: ICD10CM, code: 'G57.2', display: 'Lesion of femoral nerve' },
};

// SNOMED CT for reoperations.
export const REOPERATION_CODES: Partial<Record<ReoperationProcedure, Coding>> = {
  total_hip_arthroplasty: { system: SNOMED, code: '52734007', display: 'Total hip replacement' },
};

// LOINC for observations (hl7.org value sets and loinc.org).
export const OBSERVATION_LOINC: Record<string, Coding> = {
  // "Pain severity - 0-10 verbal numeric rating" (loinc.org/72514-3): the groin pain NRS.
  'groin-pain': {
    system: LOINC,
    code: '72514-3',
    display: 'Pain severity - 0-10 verbal numeric rating [Score] - Reported',
  },
  // FHIR vital-signs BMI profile: LOINC 39156-5 with UCUM kg/m2.
  bmi: { system: LOINC, code: '39156-5', display: 'Body mass index (BMI) [Ratio]' },
  // FHIR R4 vital-signs body height and body weight profiles.
  height: { system: LOINC, code: '8302-2', display: 'Body height' },
  weight: { system: LOINC, code: '29463-7', display: 'Body weight' },
};

// UCUM units of the quantities in the export.
export const UNITS = {
  score: { unit: 'score', system: UCUM, code: '{score}' },
  years: { unit: 'years', system: UCUM, code: 'a' },
  months: { unit: 'months', system: UCUM, code: 'mo' },
  minutes: { unit: 'min', system: UCUM, code: 'min' },
  degrees: { unit: 'degrees', system: UCUM, code: 'deg' },
  cm: { unit: 'cm', system: UCUM, code: 'cm' },
  kg: { unit: 'kg', system: UCUM, code: 'kg' },
  bmi: { unit: 'kg/m2', system: UCUM, code: 'kg/m2' },
} as const;

// Local codes with no standard code beside them, and why. Kept exact by a unit test: every code
// of these vocabularies is either mapped above or listed here.
export const LOCAL_ONLY: Array<{ vocabulary: string; codes: readonly string[]; reason: string }> = [
  {
    vocabulary: COMPLICATION_TYPE.name,
    codes: [
      'recurrent_snapping',
      'persistent_groin_pain',
      'hip_flexor_weakness',
      'pudendal_neuropraxia',
      'sciatic_nerve_palsy',
      'superficial_infection',
      'deep_infection',
      'instability_dislocation',
      'conversion_to_arthroplasty',
      'other',
    ],
    reason:
      'No ICD-10-CM code verified for the registry concept (sciatic G57.0 and the surgical-site infection T81.4x codes were not confirmed; conversion is a procedure, recorded as the reoperation).',
  },
  {
    vocabulary: REOPERATION_PROCEDURE.name,
    codes: ['revision_release', 'revision_arthroscopy', 'ho_excision', 'washout', 'other'],
    reason: 'No SNOMED CT procedure concept verified.',
  },
  {
    vocabulary: 'ImpingementProcedure, ReleaseTechnique, ReleaseLocation, Indication, findings',
    codes: ['*'],
    reason:
      'No SNOMED CT procedure or finding concept verified for arthroscopic iliopsoas release, its levels, the concurrent hip-arthroscopy procedures or the intraoperative findings; the body site (hip joint, iliopsoas) and laterality are SNOMED CT.',
  },
  {
    vocabulary: 'every other local vocabulary (anaesthesia, portals, capsulotomy, PROM answers, …)',
    codes: ['*'],
    reason: 'Registry-specific; no standard code system covers them.',
  },
];
