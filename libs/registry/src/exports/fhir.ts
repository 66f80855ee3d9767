import {
  ACTIVITY_LEVEL,
  ageInYears,
  ANESTHESIA,
  bodyMassIndex,
  BROOKER_GRADE,
  CAPSULAR_LEVEL,
  CAPSULOTOMY,
  CLAVIEN_DINDO,
  COMPLICATION_TYPE,
  CONSERVATIVE_TREATMENT,
  CONTACT_MODE,
  daysBetween,
  HO_PROPHYLAXIS,
  IMPINGEMENT_PROCEDURE,
  INDICATION,
  INJECTION_RESPONSE,
  INTRAOPERATIVE_EVENT,
  PORTAL,
  POSITIONING,
  PRIOR_SURGERY,
  RECURRENCE_CAUSE,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  REOPERATION_PROCEDURE,
  RETURNED_TO_SPORT,
  SINK_GRADE,
  SNAPPING,
  type Vocabulary,
} from '@ilr/clinical';
import type { ExportContext } from './export-columns.js';
import {
  ACT_CODE,
  BODY_SITE,
  type Coding,
  COMPLICATION_CODES,
  CONDITION_DUE_TO,
  LATERALITY,
  LATERALITY_EXTENSION,
  OBSERVATION_CATEGORY,
  OBSERVATION_LOINC,
  REOPERATION_CODES,
  SURGICAL_PROCEDURE,
  UNITS,
} from './fhir-codes.js';
import {
  CONDITION_CATEGORY,
  FHIR_BASE,
  type FhirResource,
  localCoding,
  mhhsCoding,
  OBSERVATION_CODE,
  PROM_SCORE,
  questionnaireUrl,
  TIMEPOINT,
} from './fhir-terminology.js';

export { FHIR_BASE } from './fhir-terminology.js';

// One FHIR R4 Bundle (type collection) per case: Patient; the index Procedure (release technique,
// body site iliopsoas with laterality as a qualifier extension, indications as reasons,
// intraoperative events as complications, the operative details as extensions); concurrent
// procedures partOf it on the hip joint; Observations for the preoperative record, imaging, the
// intraoperative findings (partOf the surgery), and each visit (postoperative ones partOf the
// surgery, preoperative ones not); an Encounter per visit (its contact mode); QuestionnaireResponses
// for PROM items and Observations for their scores; Conditions for complications, with their
// reoperations as Procedures. Local codes come with standard ones where a verified one exists.
// De-identified bundles carry pseudonymous ids, the surgery year (Procedure.performedDateTime,
// year precision) and, for every other date, the days after that case's surgery as an extension on
// the date element, with no date value (DOMAIN.md § De-identification: only the surgery year;
// every other date becomes a day). Identified ones carry the dates and the MRN.
const SD = (name: string) => `${FHIR_BASE}/StructureDefinition/${name}`;
export const EXT_DAY = SD('days-after-surgery');
const EXT_TIMEPOINT = SD('timepoint');

type Row = Record<string, any>;

export interface CaseDetails {
  visits: Row[];
  proms: Row[];
  complications: Row[];
}

const present = (value: unknown) => value !== null && value !== undefined;
const concept = (vocabulary: Vocabulary<string>, code: string | number, extra: Coding[] = []) => ({
  coding: [localCoding(vocabulary, code), ...extra],
});
const category = (code: string, display: string) => [{ coding: [{ system: OBSERVATION_CATEGORY, code, display }] }];
const CATEGORY = {
  survey: category('survey', 'Survey'),
  exam: category('exam', 'Exam'),
  imaging: category('imaging', 'Imaging'),
  procedure: category('procedure', 'Procedure'),
  vitalSigns: category('vital-signs', 'Vital Signs'),
  socialHistory: category('social-history', 'Social History'),
};
const ext = (name: string, value: Record<string, unknown>) => ({ url: SD(name), ...value });

function questionnaireItems(instrument: string, items: unknown): Array<Record<string, unknown>> {
  if (instrument === 'mhhs' || instrument === 'eq5d5l') {
    return Object.entries(items as Record<string, unknown>).map(([linkId, value]) => ({
      linkId,
      ...(value === null
        ? {}
        : {
            answer: [
              instrument === 'mhhs'
                ? { valueCoding: mhhsCoding(linkId, String(value)) }
                : { valueInteger: value as number },
            ],
          }),
    }));
  }
  return (items as unknown[]).map((value, index) => ({
    linkId: String(index + 1),
    ...(value === null
      ? {}
      : {
          answer: [
            value === 'na'
              ? { valueString: 'na' }
              : // iHOT-12 items are decimals (0–100); the others are integers 0–4.
                instrument === 'ihot12'
                ? { valueDecimal: value }
                : { valueInteger: value },
          ],
        }),
  }));
}

export function caseBundle(
  row: Row,
  details: CaseDetails,
  context: ExportContext,
  identified: boolean,
): Record<string, unknown> {
  const caseKey = context.pseudonym(row.id);
  const patientId = context.pseudonym(row.patient_id);
  const surgeryDate: string = row.surgery_date;
  const surgeryYear = surgeryDate.slice(0, 4);
  // A date element: the date when identified; else no value and the days after surgery.
  const dated = (field: string, date: string | null | undefined): Record<string, unknown> => {
    if (!date) return {};
    return identified
      ? { [field]: date }
      : { [`_${field}`]: { extension: [{ url: EXT_DAY, valueInteger: daysBetween(surgeryDate, date) }] } };
  };
  // The case's own record (what was known at surgery): the surgery date, or its year.
  const atSurgery = { effectiveDateTime: identified ? surgeryDate : surgeryYear };
  const patientRef = { reference: `Patient/${patientId}` };
  const procedureId = `${caseKey}-release`;
  const procedureRef = { reference: `Procedure/${procedureId}` };
  const side = row.side as 'left' | 'right';
  const lateral = (site: Coding, text: string) => ({
    coding: [site],
    extension: [{ url: LATERALITY_EXTENSION, valueCodeableConcept: { coding: [LATERALITY[side]] } }],
    text: `${side} ${text}`,
  });
  const resources: FhirResource[] = [];

  resources.push({
    resourceType: 'Patient',
    id: patientId,
    ...(identified
      ? {
          identifier: [{ system: `${FHIR_BASE}/mrn`, value: context.decryptMrn(row.mrn_ciphertext) }],
          birthDate: row.birth_date,
        }
      : {}),
    gender: row.sex,
    ...dated('deceasedDateTime', row.deceased_date),
  });

  // --- the index procedure ---
  const procedureExtensions = [
    ext('release-location', { valueCodeableConcept: concept(RELEASE_LOCATION, row.release_location) }),
    ...(row.release_capsular_level
      ? [ext('capsular-level', { valueCodeableConcept: concept(CAPSULAR_LEVEL, row.release_capsular_level) })]
      : []),
    ...(present(row.release_tendon_bundles)
      ? [ext('tendon-bundles', { valueInteger: row.release_tendon_bundles })]
      : []),
    ...(present(row.release_all_bundles_released)
      ? [ext('all-bundles-released', { valueBoolean: row.release_all_bundles_released })]
      : []),
    ...(row.anesthesia ? [ext('anesthesia', { valueCodeableConcept: concept(ANESTHESIA, row.anesthesia) })] : []),
    ...(row.positioning ? [ext('positioning', { valueCodeableConcept: concept(POSITIONING, row.positioning) })] : []),
    ...((row.portals ?? []) as string[]).map((code) => ext('portal', { valueCodeableConcept: concept(PORTAL, code) })),
    ...(row.capsulotomy ? [ext('capsulotomy', { valueCodeableConcept: concept(CAPSULOTOMY, row.capsulotomy) })] : []),
    ...(present(row.capsular_closure) ? [ext('capsular-closure', { valueBoolean: row.capsular_closure })] : []),
    ...(present(row.traction_minutes)
      ? [ext('traction-duration', { valueQuantity: { value: row.traction_minutes, ...UNITS.minutes } })]
      : []),
    ...(present(row.operative_minutes)
      ? [ext('operative-duration', { valueQuantity: { value: row.operative_minutes, ...UNITS.minutes } })]
      : []),
    ...(row.ho_prophylaxis
      ? [ext('ho-prophylaxis', { valueCodeableConcept: concept(HO_PROPHYLAXIS, row.ho_prophylaxis) })]
      : []),
  ];
  const events = (row.intraoperative_events ?? []) as string[];
  resources.push({
    resourceType: 'Procedure',
    id: procedureId,
    extension: procedureExtensions,
    ...(identified ? { identifier: [{ system: `${FHIR_BASE}/registry-code`, value: row.registry_code }] } : {}),
    status: 'completed',
    category: { coding: [SURGICAL_PROCEDURE] },
    code: {
      ...concept(RELEASE_TECHNIQUE, row.release_technique),
      text: `Arthroscopic iliopsoas ${row.release_technique === 'complete_tenotomy' ? 'tenotomy' : 'fractional lengthening'} (${row.release_location})`,
    },
    subject: patientRef,
    performedDateTime: identified ? surgeryDate : surgeryYear,
    reasonCode: ((row.indications ?? []) as string[]).map((code) => concept(INDICATION, code)),
    bodySite: [lateral(BODY_SITE.iliopsoas, 'iliopsoas')],
    ...(events.length ? { complication: events.map((code) => concept(INTRAOPERATIVE_EVENT, code)) } : {}),
  });

  for (const code of (row.impingement_procedures ?? []) as string[]) {
    resources.push({
      resourceType: 'Procedure',
      id: `${caseKey}-${code.replace(/_/g, '-')}`,
      status: 'completed',
      partOf: [procedureRef],
      code: concept(IMPINGEMENT_PROCEDURE, code),
      subject: patientRef,
      performedDateTime: identified ? surgeryDate : surgeryYear,
      bodySite: [lateral(BODY_SITE.hipJoint, 'hip joint')],
    });
  }

  // --- the preoperative record, imaging and findings: Observations of the case ---
  const caseObservation = (
    code: string,
    categoryOf: unknown,
    value: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    suffix = code,
  ) =>
    resources.push({
      resourceType: 'Observation',
      id: `${caseKey}-${suffix}`,
      status: 'final',
      category: categoryOf,
      code: {
        coding: [localCoding(OBSERVATION_CODE, code), ...(OBSERVATION_LOINC[code] ? [OBSERVATION_LOINC[code]] : [])],
      },
      subject: patientRef,
      ...atSurgery,
      ...value,
      ...extra,
    });
  const quantity = (value: unknown, unit: Record<string, string>) =>
    present(value) ? { valueQuantity: { value, ...unit } } : null;
  const optional = (code: string, categoryOf: unknown, value: Record<string, unknown> | null, extra = {}) => {
    if (value) caseObservation(code, categoryOf, value, extra);
  };

  if (row.birth_date) {
    const age = ageInYears(row.birth_date, surgeryDate);
    // De-identified: 90 and over as ≥ 90 (HIPAA Safe Harbor), as the CSV's "90+".
    caseObservation('age-at-surgery', CATEGORY.socialHistory, {
      valueQuantity:
        !identified && age >= 90 ? { value: 90, comparator: '>=', ...UNITS.years } : { value: age, ...UNITS.years },
    });
  }
  optional('height', CATEGORY.vitalSigns, quantity(row.height_cm, UNITS.cm));
  optional('weight', CATEGORY.vitalSigns, quantity(row.weight_kg, UNITS.kg));
  optional('bmi', CATEGORY.vitalSigns, quantity(bodyMassIndex(row.height_cm, row.weight_kg), UNITS.bmi));
  optional('symptom-duration', CATEGORY.socialHistory, quantity(row.symptom_duration_months, UNITS.months));
  for (const code of (row.prior_ipsilateral_surgery ?? []) as string[])
    caseObservation(
      'prior-ipsilateral-surgery',
      CATEGORY.socialHistory,
      { valueCodeableConcept: concept(PRIOR_SURGERY, code) },
      {},
      `prior-surgery-${code.replace(/_/g, '-')}`,
    );
  for (const code of (row.conservative_treatment ?? []) as string[])
    caseObservation(
      'conservative-treatment',
      CATEGORY.socialHistory,
      { valueCodeableConcept: concept(CONSERVATIVE_TREATMENT, code) },
      {},
      `conservative-${code.replace(/_/g, '-')}`,
    );
  if (row.activity_level)
    caseObservation('activity-level', CATEGORY.socialHistory, {
      valueCodeableConcept: concept(ACTIVITY_LEVEL, row.activity_level),
    });
  if (present(row.exam_snapping_reproduced))
    caseObservation('snapping-reproduced', CATEGORY.exam, { valueBoolean: row.exam_snapping_reproduced });
  if (present(row.injection_performed))
    caseObservation(
      'diagnostic-injection',
      CATEGORY.procedure,
      { valueBoolean: row.injection_performed },
      row.injection_response
        ? {
            component: [
              {
                code: { coding: [localCoding(OBSERVATION_CODE, 'injection-response')] },
                valueCodeableConcept: concept(INJECTION_RESPONSE, row.injection_response),
              },
            ],
          }
        : {},
    );
  optional('alpha-angle', CATEGORY.imaging, quantity(row.imaging_alpha_angle, UNITS.degrees));
  optional('lateral-center-edge-angle', CATEGORY.imaging, quantity(row.imaging_lcea, UNITS.degrees));
  if (present(row.imaging_tonnis_grade))
    caseObservation('tonnis-grade', CATEGORY.imaging, { valueInteger: row.imaging_tonnis_grade });
  if (present(row.imaging_dynamic_us_snapping))
    caseObservation('dynamic-ultrasound-snapping', CATEGORY.imaging, { valueBoolean: row.imaging_dynamic_us_snapping });
  if (present(row.imaging_bifid_tendon_on_mri))
    caseObservation('bifid-tendon-on-mri', CATEGORY.imaging, { valueBoolean: row.imaging_bifid_tendon_on_mri });
  // Intraoperative findings: part of the surgery.
  const finding = { partOf: [procedureRef] };
  for (const [code, column] of [
    ['labral-tear', 'findings_labral_tear'],
    ['anterior-labral-lesion-at-psoas', 'findings_anterior_labral_lesion_at_psoas'],
    ['cam', 'findings_cam'],
    ['pincer', 'findings_pincer'],
  ] as const) {
    if (present(row[column])) caseObservation(code, CATEGORY.procedure, { valueBoolean: row[column] }, finding);
  }
  for (const [code, column] of [
    ['acetabular-cartilage-icrs', 'findings_acetabular_icrs'],
    ['femoral-cartilage-icrs', 'findings_femoral_icrs'],
  ] as const) {
    if (present(row[column])) caseObservation(code, CATEGORY.procedure, { valueInteger: row[column] }, finding);
  }

  // --- visits ---
  for (const visit of details.visits) {
    // One key per visit (two visits may share a day), pseudonymous like every id here.
    const visitKey = `${caseKey}-v${context.pseudonym(visit.id)}`;
    const encounterRef = { reference: `Encounter/${visitKey}` };
    // Visits after surgery follow it up; a preoperative visit is not part of it.
    const after = daysBetween(surgeryDate, visit.visit_date) > 0 ? { partOf: [procedureRef] } : {};
    const timepoint = [{ url: EXT_TIMEPOINT, valueCoding: localCoding(TIMEPOINT, visit.timepoint) }];
    resources.push({
      resourceType: 'Encounter',
      id: visitKey,
      extension: timepoint,
      status: 'finished',
      class:
        visit.contact_mode === 'clinic'
          ? { system: ACT_CODE, code: 'AMB', display: 'ambulatory' }
          : { system: ACT_CODE, code: 'VR', display: 'virtual' },
      type: [concept(CONTACT_MODE, visit.contact_mode)],
      subject: patientRef,
      period: dated('start', visit.visit_date),
    });
    const visitObservation = (code: string, categoryOf: unknown, value: Record<string, unknown>, extra = {}) =>
      resources.push({
        resourceType: 'Observation',
        id: `${visitKey}-${code}`,
        status: 'final',
        ...after,
        category: categoryOf,
        code: {
          coding: [localCoding(OBSERVATION_CODE, code), ...(OBSERVATION_LOINC[code] ? [OBSERVATION_LOINC[code]] : [])],
        },
        subject: patientRef,
        encounter: encounterRef,
        ...dated('effectiveDateTime', visit.visit_date),
        ...value,
        ...extra,
      });
    if (visit.snapping)
      visitObservation('snapping', CATEGORY.exam, { valueCodeableConcept: concept(SNAPPING, visit.snapping) });
    if (present(visit.groin_pain))
      visitObservation('groin-pain', CATEGORY.survey, { valueQuantity: { value: visit.groin_pain, ...UNITS.score } });
    if (present(visit.hip_flexion_strength))
      visitObservation('hip-flexion-strength', CATEGORY.exam, { valueInteger: visit.hip_flexion_strength });
    if (visit.returned_to_sport)
      visitObservation('returned-to-sport', CATEGORY.survey, {
        valueCodeableConcept: concept(RETURNED_TO_SPORT, visit.returned_to_sport),
      });
    if (present(visit.satisfaction))
      visitObservation('satisfaction', CATEGORY.survey, {
        valueQuantity: { value: visit.satisfaction, ...UNITS.score },
      });
    for (const prom of details.proms.filter((p) => p.follow_up_id === visit.id)) {
      const responseId = `${visitKey}-${prom.instrument.toLowerCase()}`;
      resources.push({
        resourceType: 'QuestionnaireResponse',
        id: `${responseId}-items`,
        extension: timepoint,
        questionnaire: questionnaireUrl(prom.instrument),
        status: 'completed',
        subject: patientRef,
        encounter: encounterRef,
        ...dated('authored', visit.visit_date),
        item: questionnaireItems(prom.instrument, prom.items),
      });
      if (prom.score !== null) {
        resources.push({
          resourceType: 'Observation',
          id: `${responseId}-score`,
          extension: timepoint,
          status: 'final',
          ...after,
          category: CATEGORY.survey,
          code: { coding: [localCoding(PROM_SCORE, prom.instrument)] },
          subject: patientRef,
          encounter: encounterRef,
          ...dated('effectiveDateTime', visit.visit_date),
          derivedFrom: [{ reference: `QuestionnaireResponse/${responseId}-items` }],
          valueQuantity: { value: prom.score, ...UNITS.score },
          note: [{ text: `timepoint ${visit.timepoint}; scoring ${prom.scoring_version}` }],
        });
      }
    }
  }

  // --- complications ---
  for (const [index, c] of details.complications.entries()) {
    const resolved = Boolean(c.resolved_date);
    const conditionId = `${caseKey}-c${index + 1}`;
    const stages = [
      ...(c.brooker_grade
        ? [{ summary: concept(BROOKER_GRADE, c.brooker_grade), type: { text: 'Brooker classification (1973)' } }]
        : []),
      ...(c.clavien_dindo
        ? [{ summary: concept(CLAVIEN_DINDO, c.clavien_dindo), type: { text: 'Clavien–Dindo classification' } }]
        : []),
    ];
    const standard = COMPLICATION_CODES[c.type as keyof typeof COMPLICATION_CODES];
    resources.push({
      resourceType: 'Condition',
      id: conditionId,
      ...(c.recurrence_cause
        ? {
            extension: [{ url: CONDITION_DUE_TO, valueCodeableConcept: concept(RECURRENCE_CAUSE, c.recurrence_cause) }],
          }
        : {}),
      clinicalStatus: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
            code: resolved ? 'resolved' : 'active',
          },
        ],
      },
      verificationStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
      },
      category: [concept(CONDITION_CATEGORY, 'complication')],
      severity: concept(SINK_GRADE, c.sink_grade),
      code: {
        coding: [localCoding(COMPLICATION_TYPE, c.type), ...(standard ? [standard] : [])],
        ...(identified && c.description ? { text: c.description } : {}),
      },
      subject: patientRef,
      ...dated('onsetDateTime', c.onset_date),
      ...(resolved ? dated('abatementDateTime', c.resolved_date) : {}),
      ...(stages.length ? { stage: stages } : {}),
      evidence: [{ detail: [procedureRef] }],
    });
    if (c.reoperation_procedure) {
      const reoperationStandard = REOPERATION_CODES[c.reoperation_procedure as keyof typeof REOPERATION_CODES];
      resources.push({
        resourceType: 'Procedure',
        id: `${conditionId}-reoperation`,
        status: 'completed',
        category: { coding: [SURGICAL_PROCEDURE] },
        code: concept(REOPERATION_PROCEDURE, c.reoperation_procedure, reoperationStandard ? [reoperationStandard] : []),
        subject: patientRef,
        ...dated('performedDateTime', c.reoperation_date),
        reasonReference: [{ reference: `Condition/${conditionId}` }],
        bodySite: [lateral(BODY_SITE.hipJoint, 'hip joint')],
      });
    }
  }

  return {
    resourceType: 'Bundle',
    id: caseKey,
    type: 'collection',
    entry: resources.map((resource) => ({ fullUrl: `${FHIR_BASE}/${resource.resourceType}/${resource.id}`, resource })),
  };
}
