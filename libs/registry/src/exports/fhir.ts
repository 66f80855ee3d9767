import {
  COMPLICATION_TYPE,
  daysBetween,
  IMPINGEMENT_PROCEDURE,
  MHHS_ITEMS,
  RELEASE_LOCATION,
  SNAPPING,
} from '@ilr/clinical';
import type { ExportContext } from './export-columns.js';

// One FHIR R4 Bundle (type collection) per case: Patient, the index Procedure (laterality as a
// body-site qualifier), the concurrent procedures as Procedures partOf it, Observations for scores
// and visit outcomes, QuestionnaireResponses for PROM items, Conditions for complications.
// De-identified bundles carry pseudonymous ids, the surgery year and days after surgery (an
// extension) instead of dates; identified ones carry the dates and the MRN.
export const FHIR_BASE = 'https://ilr-registry.org/fhir';
const CS = (name: string) => `${FHIR_BASE}/CodeSystem/${name}`;
const EXT_DAY = `${FHIR_BASE}/StructureDefinition/days-after-surgery`;
const EXT_YEAR = `${FHIR_BASE}/StructureDefinition/surgery-year`;
const SNOMED = 'http://snomed.info/sct';

// SNOMED CT concepts for the body site and laterality.
const ILIOPSOAS = { system: SNOMED, code: '50061005', display: 'Iliopsoas muscle structure' };
const LATERALITY = {
  left: { system: SNOMED, code: '7771000', display: 'Left' },
  right: { system: SNOMED, code: '24028007', display: 'Right' },
} as const;

type Row = Record<string, any>;
type Resource = Record<string, unknown> & { resourceType: string; id: string };

export interface CaseDetails {
  visits: Row[];
  proms: Row[];
  complications: Row[];
}

function dayExtension(surgeryDate: string, date: string | null): Array<Record<string, unknown>> {
  if (!date) return [];
  return [{ url: EXT_DAY, valueInteger: daysBetween(surgeryDate, date) }];
}

function mhhsAnswer(item: string, value: unknown) {
  const code = String(value);
  const points = (MHHS_ITEMS as Record<string, Record<string, number>>)[item]?.[code];
  return { valueCoding: { system: CS(`mhhs-${item}`), code, display: `${code} (${points} points)` } };
}

function questionnaireItems(instrument: string, items: unknown): Array<Record<string, unknown>> {
  if (instrument === 'mhhs' || instrument === 'eq5d5l') {
    return Object.entries(items as Record<string, unknown>).map(([linkId, value]) => ({
      linkId,
      ...(value === null
        ? {}
        : { answer: [instrument === 'mhhs' ? mhhsAnswer(linkId, value) : { valueInteger: value }] }),
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
              : Number.isInteger(value)
                ? { valueInteger: value }
                : { valueDecimal: value },
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
  const at = (date: string | null) => (identified ? {} : { extension: dayExtension(row.surgery_date, date) });
  const patientRef = { reference: `Patient/${patientId}` };
  const procedureId = `${caseKey}-release`;
  const resources: Resource[] = [];

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
    ...(row.deceased_date ? (identified ? { deceasedDateTime: row.deceased_date } : { deceasedBoolean: true }) : {}),
  });

  resources.push({
    resourceType: 'Procedure',
    id: procedureId,
    ...(identified ? { identifier: [{ system: `${FHIR_BASE}/registry-code`, value: row.registry_code }] } : {}),
    status: 'completed',
    category: { coding: [{ system: SNOMED, code: '387713003', display: 'Surgical procedure' }] },
    code: {
      coding: [
        {
          system: CS('release-location'),
          code: row.release_location,
          display: RELEASE_LOCATION.labels[row.release_location as keyof typeof RELEASE_LOCATION.labels],
        },
      ],
      text: `Arthroscopic iliopsoas ${row.release_technique === 'complete_tenotomy' ? 'tenotomy' : 'fractional lengthening'} (${row.release_location})`,
    },
    subject: patientRef,
    ...(identified
      ? { performedDateTime: row.surgery_date }
      : { extension: [{ url: EXT_YEAR, valueInteger: Number(String(row.surgery_date).slice(0, 4)) }] }),
    bodySite: [{ coding: [ILIOPSOAS, LATERALITY[row.side as 'left' | 'right']], text: `${row.side} iliopsoas` }],
  });

  for (const code of (row.impingement_procedures ?? []) as string[]) {
    resources.push({
      resourceType: 'Procedure',
      id: `${caseKey}-${code.replace(/_/g, '-')}`,
      status: 'completed',
      partOf: [{ reference: `Procedure/${procedureId}` }],
      code: {
        coding: [
          {
            system: CS('impingement-procedure'),
            code,
            display: IMPINGEMENT_PROCEDURE.labels[code as keyof typeof IMPINGEMENT_PROCEDURE.labels],
          },
        ],
      },
      subject: patientRef,
      bodySite: [{ coding: [LATERALITY[row.side as 'left' | 'right']], text: `${row.side} hip` }],
    });
  }

  for (const visit of details.visits) {
    // One key per visit (two visits may share a day), pseudonymous like every id here.
    const visitKey = `${caseKey}-v${context.pseudonym(visit.id)}`;
    const when = identified ? { effectiveDateTime: visit.visit_date } : {};
    if (visit.snapping) {
      resources.push({
        resourceType: 'Observation',
        id: `${visitKey}-snapping`,
        status: 'final',
        ...at(visit.visit_date),
        code: { coding: [{ system: CS('observation'), code: 'snapping', display: 'Snapping' }] },
        subject: patientRef,
        partOf: [{ reference: `Procedure/${procedureId}` }],
        ...when,
        valueCodeableConcept: {
          coding: [
            {
              system: CS('snapping'),
              code: visit.snapping,
              display: SNAPPING.labels[visit.snapping as keyof typeof SNAPPING.labels],
            },
          ],
        },
      });
    }
    if (visit.groin_pain !== null && visit.groin_pain !== undefined) {
      resources.push({
        resourceType: 'Observation',
        id: `${visitKey}-groin-pain`,
        status: 'final',
        ...at(visit.visit_date),
        code: { coding: [{ system: CS('observation'), code: 'groin-pain', display: 'Groin pain NRS' }] },
        subject: patientRef,
        partOf: [{ reference: `Procedure/${procedureId}` }],
        ...when,
        valueQuantity: {
          value: visit.groin_pain,
          unit: '{score}',
          system: 'http://unitsofmeasure.org',
          code: '{score}',
        },
      });
    }
    for (const prom of details.proms.filter((p) => p.follow_up_id === visit.id)) {
      const responseId = `${visitKey}-${prom.instrument.toLowerCase()}`;
      resources.push({
        resourceType: 'QuestionnaireResponse',
        id: `${responseId}-items`,
        status: 'completed',
        ...at(visit.visit_date),
        questionnaire: `${FHIR_BASE}/Questionnaire/${prom.instrument}`,
        subject: patientRef,
        ...(identified ? { authored: visit.visit_date } : {}),
        item: questionnaireItems(prom.instrument, prom.items),
      });
      if (prom.score !== null) {
        resources.push({
          resourceType: 'Observation',
          id: `${responseId}-score`,
          status: 'final',
          ...at(visit.visit_date),
          code: { coding: [{ system: CS('prom'), code: prom.instrument, display: `${prom.instrument} score` }] },
          subject: patientRef,
          partOf: [{ reference: `Procedure/${procedureId}` }],
          ...when,
          derivedFrom: [{ reference: `QuestionnaireResponse/${responseId}-items` }],
          valueQuantity: { value: prom.score, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' },
          note: [{ text: `timepoint ${visit.timepoint}; scoring ${prom.scoring_version}` }],
        });
      }
    }
  }

  for (const [index, c] of details.complications.entries()) {
    const resolved = Boolean(c.resolved_date);
    resources.push({
      resourceType: 'Condition',
      id: `${caseKey}-c${index + 1}`,
      ...at(c.onset_date),
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
      category: [
        {
          coding: [
            { system: CS('condition-category'), code: 'complication', display: 'Complication of iliopsoas release' },
          ],
        },
      ],
      code: {
        coding: [
          {
            system: CS('complication-type'),
            code: c.type,
            display: COMPLICATION_TYPE.labels[c.type as keyof typeof COMPLICATION_TYPE.labels],
          },
        ],
        ...(identified && c.description ? { text: c.description } : {}),
      },
      severity: {
        coding: [{ system: CS('sink-grade'), code: String(c.sink_grade), display: `Sink grade ${c.sink_grade}` }],
      },
      subject: patientRef,
      ...(identified
        ? { onsetDateTime: c.onset_date, ...(resolved ? { abatementDateTime: c.resolved_date } : {}) }
        : {}),
      ...(c.brooker_grade
        ? {
            stage: [
              {
                summary: {
                  coding: [
                    {
                      system: CS('brooker-grade'),
                      code: String(c.brooker_grade),
                      display: `Brooker grade ${c.brooker_grade}`,
                    },
                  ],
                },
              },
            ],
          }
        : {}),
      evidence: [{ detail: [{ reference: `Procedure/${procedureId}` }] }],
    });
    if (c.reoperation_procedure) {
      resources.push({
        resourceType: 'Procedure',
        id: `${caseKey}-c${index + 1}-reoperation`,
        status: 'completed',
        ...at(c.reoperation_date),
        code: { coding: [{ system: CS('reoperation-procedure'), code: c.reoperation_procedure }] },
        subject: patientRef,
        ...(identified ? { performedDateTime: c.reoperation_date } : {}),
        reasonReference: [{ reference: `Condition/${caseKey}-c${index + 1}` }],
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
