import {
  ACTIVITY_LEVEL,
  ANESTHESIA,
  BROOKER_GRADE,
  CAPSULAR_LEVEL,
  CAPSULOTOMY,
  CLAVIEN_DINDO,
  COMPLICATION_TYPE,
  CONSERVATIVE_TREATMENT,
  CONTACT_MODE,
  HO_PROPHYLAXIS,
  IMPINGEMENT_PROCEDURE,
  INDICATION,
  INJECTION_RESPONSE,
  INTRAOPERATIVE_EVENT,
  ITEM_RULES,
  MHHS_ITEMS,
  PORTAL,
  POSITIONING,
  PRIOR_SURGERY,
  PROM_SCORING_VERSION,
  RECURRENCE_CAUSE,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  REOPERATION_PROCEDURE,
  RETURNED_TO_SPORT,
  SCORED_INSTRUMENTS,
  SINK_GRADE,
  SNAPPING,
  TIMEPOINTS,
  type Vocabulary,
  vocabularyOf,
} from '@ilr/clinical';

// Our local code systems and PROM questionnaires as FHIR R4 resources: served at /api/v1/fhir and
// written at the head of every FHIR export, so that every local code and questionnaire in a bundle
// resolves. Pure: built from the clinical vocabularies, the same on every process.
export const FHIR_BASE = 'https://ilr-registry.org/fhir';
export const codeSystemUrl = (id: string) => `${FHIR_BASE}/CodeSystem/${id}`;
export const questionnaireUrl = (id: string) => `${FHIR_BASE}/Questionnaire/${id}`;

export type FhirResource = Record<string, unknown> & { resourceType: string; id: string };

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

// The registry's own observation concepts (Observation.code), each with its label.
export const OBSERVATION_CODE = vocabularyOf('Observation', {
  'age-at-surgery': 'Age at surgery',
  height: 'Body height',
  weight: 'Body weight',
  bmi: 'Body-mass index (derived from height and weight)',
  'symptom-duration': 'Symptom duration before surgery',
  'prior-ipsilateral-surgery': 'Prior ipsilateral surgery',
  'conservative-treatment': 'Conservative treatment tried before surgery',
  'activity-level': 'Activity level',
  'snapping-reproduced': 'Examination manoeuvres reproduced the snap',
  'diagnostic-injection': 'Diagnostic injection performed',
  'injection-response': 'Response to the diagnostic injection',
  'alpha-angle': 'Alpha angle',
  'lateral-center-edge-angle': 'Lateral center-edge angle',
  'tonnis-grade': 'Tönnis grade (0–3)',
  'dynamic-ultrasound-snapping': 'Snapping seen on dynamic ultrasound',
  'bifid-tendon-on-mri': 'Bifid tendon on MRI',
  'labral-tear': 'Labral tear found at surgery',
  'anterior-labral-lesion-at-psoas': 'Anterior ("3 o\'clock") labral lesion at the psoas',
  cam: 'Cam morphology found at surgery',
  pincer: 'Pincer morphology found at surgery',
  'acetabular-cartilage-icrs': 'Acetabular cartilage ICRS grade (0–4)',
  'femoral-cartilage-icrs': 'Femoral cartilage ICRS grade (0–4)',
  snapping: 'Snapping',
  'groin-pain': 'Groin pain NRS (0–10)',
  'hip-flexion-strength': 'Hip flexion strength, MRC grade (0–5)',
  'returned-to-sport': 'Returned to sport',
  satisfaction: 'Satisfaction (0–10)',
});
export const PROM_SCORE = vocabularyOf('PromScore', {
  mhhs: 'mHHS score (0–100)',
  ihot12: 'iHOT-12 score (0–100)',
  hosAdl: 'HOS-ADL score (0–100)',
  hosSport: 'HOS-Sport score (0–100)',
  nahs: 'NAHS score (0–100)',
});
export const CONDITION_CATEGORY = vocabularyOf('ConditionCategory', {
  complication: 'Complication of iliopsoas release',
});
export const TIMEPOINT = vocabularyOf(
  'Timepoint',
  Object.fromEntries(TIMEPOINTS.map((t) => [t, t === 'unscheduled' ? 'Outside every window' : `Timepoint ${t}`])),
  'Registry follow-up windows (DOMAIN.md § Follow-up visit)',
);

// mHHS answer codes per item, with Byrd's points in the display.
const MHHS_LABEL: Record<string, string> = {
  pain: 'Pain',
  limp: 'Limp',
  support: 'Support',
  distance: 'Distance walked',
  stairs: 'Stairs',
  shoesSocks: 'Shoes and socks',
  sitting: 'Sitting',
  publicTransport: 'Public transportation',
};
const MHHS_VOCABULARIES = Object.entries(MHHS_ITEMS).map(([item, points]) =>
  vocabularyOf(
    `Mhhs${item[0].toUpperCase()}${item.slice(1)}`,
    Object.fromEntries(Object.entries(points).map(([code, p]) => [code, `${code.replace(/_/g, ' ')} (${p} points)`])),
    'Modified Harris Hip Score (Byrd)',
  ),
);

// Every local vocabulary the FHIR export writes a code of, under its code system id.
export const LOCAL_VOCABULARIES: ReadonlyArray<{ id: string; vocabulary: Vocabulary<string> }> = [
  INDICATION,
  PRIOR_SURGERY,
  INJECTION_RESPONSE,
  CONSERVATIVE_TREATMENT,
  ACTIVITY_LEVEL,
  ANESTHESIA,
  POSITIONING,
  PORTAL,
  CAPSULOTOMY,
  RELEASE_LOCATION,
  CAPSULAR_LEVEL,
  RELEASE_TECHNIQUE,
  IMPINGEMENT_PROCEDURE,
  HO_PROPHYLAXIS,
  INTRAOPERATIVE_EVENT,
  CONTACT_MODE,
  SNAPPING,
  RETURNED_TO_SPORT,
  COMPLICATION_TYPE,
  BROOKER_GRADE,
  RECURRENCE_CAUSE,
  SINK_GRADE,
  CLAVIEN_DINDO,
  REOPERATION_PROCEDURE,
  TIMEPOINT,
  OBSERVATION_CODE,
  PROM_SCORE,
  CONDITION_CATEGORY,
  ...MHHS_VOCABULARIES,
].map((vocabulary) => ({ id: kebab(vocabulary.name), vocabulary: vocabulary as Vocabulary<string> }));

const SYSTEM_OF = new Map(LOCAL_VOCABULARIES.map(({ id, vocabulary }) => [vocabulary, codeSystemUrl(id)]));

// The coding of a local code (its display from the vocabulary).
export function localCoding(vocabulary: Vocabulary<string>, code: string | number) {
  const system = SYSTEM_OF.get(vocabulary);
  if (!system) throw new Error(`no FHIR code system for the vocabulary ${vocabulary.name}`);
  const key = String(code);
  return { system, code: key, display: vocabulary.labels[key] ?? key };
}
export const mhhsCoding = (item: string, code: string) =>
  localCoding(MHHS_VOCABULARIES[Object.keys(MHHS_ITEMS).indexOf(item)], code);

export function codeSystem(id: string, vocabulary: Vocabulary<string>): FhirResource {
  return {
    resourceType: 'CodeSystem',
    id,
    url: codeSystemUrl(id),
    version: PROM_SCORING_VERSION,
    name: vocabulary.name,
    title: `ILR registry: ${vocabulary.name}`,
    status: 'active',
    experimental: false,
    publisher: 'ILR Registry',
    ...(vocabulary.source ? { description: `Source: ${vocabulary.source}` } : {}),
    caseSensitive: true,
    content: 'complete',
    count: vocabulary.codes.length,
    concept: vocabulary.codes.map((code) => ({ code, display: vocabulary.labels[code] })),
  };
}

export const CODE_SYSTEMS: readonly FhirResource[] = LOCAL_VOCABULARIES.map(({ id, vocabulary }) =>
  codeSystem(id, vocabulary),
);

// --- Questionnaires: one per PROM instrument, with its items and answer options ------------------
const INSTRUMENT_TITLE: Record<string, string> = {
  mhhs: 'Modified Harris Hip Score (mHHS, Byrd)',
  ihot12: 'International Hip Outcome Tool, 12 items (iHOT-12)',
  hosAdl: 'Hip Outcome Score, activities of daily living (HOS-ADL)',
  hosSport: 'Hip Outcome Score, sport (HOS-Sport)',
  nahs: 'Non-Arthritic Hip Score (NAHS)',
  eq5d5l: 'EQ-5D-5L',
};
const MIN_VALUE = 'http://hl7.org/fhir/StructureDefinition/minValue';
const MAX_VALUE = 'http://hl7.org/fhir/StructureDefinition/maxValue';
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Item texts are not reproduced (the instruments are licensed); items are numbered as scored.
function questionnaireItems(instrument: string): Array<Record<string, unknown>> {
  switch (instrument) {
    case 'mhhs':
      return Object.entries(MHHS_ITEMS).map(([item, points]) => ({
        linkId: item,
        text: MHHS_LABEL[item],
        type: 'choice',
        answerOption: Object.keys(points).map((code) => ({ valueCoding: mhhsCoding(item, code) })),
      }));
    case 'ihot12':
      return range(1, ITEM_RULES.ihot12.items).map((n) => ({
        linkId: String(n),
        text: `iHOT-12 item ${n} (0–100, 100 = no problem)`,
        type: 'decimal',
        extension: [
          { url: MIN_VALUE, valueDecimal: 0 },
          { url: MAX_VALUE, valueDecimal: 100 },
        ],
      }));
    case 'hosAdl':
    case 'hosSport':
      return range(1, ITEM_RULES[instrument].items).map((n) => ({
        linkId: String(n),
        text: `${instrument === 'hosAdl' ? 'HOS-ADL' : 'HOS-Sport'} item ${n} (4 no difficulty … 0 unable; na not applicable)`,
        type: 'choice',
        answerOption: [...range(0, 4).map((v) => ({ valueInteger: v })), { valueString: 'na' }],
      }));
    case 'nahs':
      return range(1, ITEM_RULES.nahs.items).map((n) => ({
        linkId: String(n),
        text: `NAHS item ${n} (4 none … 0 extreme)`,
        type: 'choice',
        answerOption: range(0, 4).map((v) => ({ valueInteger: v })),
      }));
    case 'eq5d5l':
      return [
        ...['mobility', 'selfCare', 'usualActivities', 'painDiscomfort', 'anxietyDepression'].map((dimension) => ({
          linkId: dimension,
          text: `EQ-5D-5L ${dimension} level (1–5)`,
          type: 'choice',
          answerOption: range(1, 5).map((v) => ({ valueInteger: v })),
        })),
        {
          linkId: 'vas',
          text: 'EQ-5D-5L visual analogue scale (0–100)',
          type: 'integer',
          extension: [
            { url: MIN_VALUE, valueInteger: 0 },
            { url: MAX_VALUE, valueInteger: 100 },
          ],
        },
      ];
    default:
      throw new Error(`unknown instrument ${instrument}`);
  }
}

export const QUESTIONNAIRE_IDS = [...SCORED_INSTRUMENTS, 'eq5d5l'] as const;

export const QUESTIONNAIRES: readonly FhirResource[] = QUESTIONNAIRE_IDS.map((id) => ({
  resourceType: 'Questionnaire',
  id,
  url: questionnaireUrl(id),
  version: PROM_SCORING_VERSION,
  name: id.replace(/^./, (c) => c.toUpperCase()),
  title: INSTRUMENT_TITLE[id],
  status: 'active',
  experimental: false,
  publisher: 'ILR Registry',
  subjectType: ['Patient'],
  item: questionnaireItems(id),
}));

const entry = (resource: FhirResource, search?: boolean) => ({
  fullUrl: `${FHIR_BASE}/${resource.resourceType}/${resource.id}`,
  resource,
  ...(search ? { search: { mode: 'match' } } : {}),
});

// A searchset Bundle of the resources (GET /api/v1/fhir/CodeSystem, /Questionnaire).
export function searchset(resources: readonly FhirResource[]): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((r) => entry(r, true)),
  };
}

// The first line of every FHIR export: a collection Bundle of the code systems and questionnaires.
export const TERMINOLOGY_BUNDLE_ID = 'ilr-terminology';
export function terminologyBundle(): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    id: TERMINOLOGY_BUNDLE_ID,
    type: 'collection',
    entry: [...CODE_SYSTEMS, ...QUESTIONNAIRES].map((r) => entry(r)),
  };
}

export const findCodeSystem = (id: string) => CODE_SYSTEMS.find((r) => r.id === id) ?? null;
export const findQuestionnaire = (id: string) => QUESTIONNAIRES.find((r) => r.id === id) ?? null;
