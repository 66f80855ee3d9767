// A stored case for the surgeon: its fields in words (the Case view), its values for the case form
// (the Edit page), the PATCH body of what the form changed, and its audit history in words.
import {
  CASE_STATUS,
  CONTACT_MODE,
  COMPLICATION_TYPE,
  REOPERATION_PROCEDURE,
  RETURNED_TO_SPORT,
  SEX,
  SNAPPING,
  type Vocabulary,
} from '@ilr/clinical';
import type { components } from '../api/schema.js';
import { pruneCaseValues } from './case-form-fields.js';
import { type CaseFormValues, type CreateCaseRequest, toCreateCaseRequest } from './case-form-values.js';
import {
  CASE_VOCABULARIES,
  codeLabel,
  COMPLICATION_VOCABULARIES,
  fieldLabel,
  ICRS_OPTIONS,
  type Option,
  TENDON_BUNDLE_OPTIONS,
  TONNIS_OPTIONS,
} from './labels.js';
import { INSTRUMENT_LABELS, TIMEPOINT_LABELS } from './visit-labels.js';

export type CaseResponse = components['schemas']['CaseResponse'];
export type UpdateCaseRequest = components['schemas']['UpdateCaseRequest'];
export type HistoryEntry = components['schemas']['HistoryEntry'];
export type FollowUpResponse = components['schemas']['FollowUpResponse'];
export type ComplicationResponse = components['schemas']['ComplicationResponse'];
export type PatientResponse = components['schemas']['PatientResponse'];

export const NOT_RECORDED = 'Not recorded';

// ---- Case → form values, and the PATCH body of what changed ----

export function caseToFormValues(c: CaseResponse): CaseFormValues {
  return {
    // A case keeps its patient: the form addresses it by id and cannot change it.
    patientMode: 'existing',
    patientId: c.patientId,
    patient: { mrn: '', birthDate: null, sex: null },
    surgeryDate: c.surgeryDate,
    side: c.side,
    indications: [...c.indications],
    priorIpsilateralSurgery: c.priorIpsilateralSurgery ? [...c.priorIpsilateralSurgery] : null,
    diagnosticInjection: {
      performed: c.diagnosticInjection.performed,
      response: c.diagnosticInjection.response ?? null,
    },
    symptomDurationMonths: c.symptomDurationMonths ?? null,
    conservativeTreatment: c.conservativeTreatment ? [...c.conservativeTreatment] : null,
    examination: { snappingReproduced: c.examination?.snappingReproduced ?? null },
    activityLevel: c.activityLevel ?? null,
    heightCm: c.heightCm ?? null,
    weightKg: c.weightKg ?? null,
    imaging: {
      alphaAngle: c.imaging?.alphaAngle ?? null,
      lateralCenterEdgeAngle: c.imaging?.lateralCenterEdgeAngle ?? null,
      tonnisGrade: c.imaging?.tonnisGrade ?? null,
      dynamicUltrasoundSnapping: c.imaging?.dynamicUltrasoundSnapping ?? null,
      bifidTendonOnMri: c.imaging?.bifidTendonOnMri ?? null,
    },
    anesthesia: c.anesthesia,
    positioning: c.positioning,
    tractionMinutes: c.tractionMinutes,
    operativeMinutes: c.operativeMinutes,
    portals: [...c.portals],
    portalsOther: c.portalsOther ?? '',
    capsulotomy: c.capsulotomy,
    capsularClosure: c.capsularClosure,
    findings: {
      labralTear: c.findings.labralTear,
      anteriorLabralLesionAtPsoas: c.findings.anteriorLabralLesionAtPsoas,
      cam: c.findings.cam,
      pincer: c.findings.pincer,
      acetabularCartilageIcrs: c.findings.acetabularCartilageIcrs ?? null,
      femoralCartilageIcrs: c.findings.femoralCartilageIcrs ?? null,
    },
    release: {
      location: c.release.location,
      capsularLevel: c.release.capsularLevel ?? null,
      technique: c.release.technique,
      tendonBundles: c.release.tendonBundles,
      allBundlesReleased: c.release.allBundlesReleased ?? null,
    },
    impingementRepair: {
      performed: c.impingementRepair.performed,
      procedures: [...(c.impingementRepair.procedures ?? [])],
    },
    hoProphylaxis: c.hoProphylaxis,
    intraoperativeEvents: c.intraoperativeEvents ? [...c.intraoperativeEvents] : null,
    notes: c.notes ?? '',
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Fields of one body that differ from the other; a field that is gone is sent as null ("not recorded").
function changed(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    if (isObject(a) || isObject(b)) {
      const inner = changed(isObject(a) ? a : {}, isObject(b) ? b : {});
      if (Object.keys(inner).length) out[key] = inner;
    } else if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) {
      out[key] = b ?? null;
    }
  }
  return out;
}

// The PATCH body: only what the form's body changes from the stored case (the patient stays).
export function toUpdateCaseRequest(stored: CaseResponse, body: CreateCaseRequest): UpdateCaseRequest {
  const before = toCreateCaseRequest(pruneCaseValues(caseToFormValues(stored))) as Record<string, unknown>;
  const omit = ({ patient: _p, patientId: _i, surgeonId: _s, ...rest }: Record<string, unknown>) => rest;
  return changed(omit(before), omit(body as Record<string, unknown>)) as UpdateCaseRequest;
}

// After a 412: the latest stored values, with what the user changed from the version they opened kept.
export function rebaseFormValues<T>(opened: T, typed: T, latest: T): T {
  if (isObject(opened) && isObject(typed) && isObject(latest)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(latest), ...Object.keys(typed)]))
      out[key] = rebaseFormValues(opened[key], typed[key], latest[key]);
    return out as T;
  }
  return JSON.stringify(typed) === JSON.stringify(opened) ? latest : typed;
}

// ---- Values in words ----

export const yesNo = (value: boolean | null | undefined) =>
  value === true ? 'Yes' : value === false ? 'No' : NOT_RECORDED;

function codeWords<C extends string>(vocabulary: Vocabulary<C>, code: C | null | undefined): string {
  return code === null || code === undefined ? NOT_RECORDED : (codeLabel(vocabulary, code) ?? NOT_RECORDED);
}

// A list that may be not recorded (null), recorded as none ([]), or some items.
function listWords<C extends string>(vocabulary: Vocabulary<C>, codes: readonly C[] | null | undefined): string {
  if (codes === null || codes === undefined) return NOT_RECORDED;
  if (!codes.length) return 'None';
  return codes.map((code) => codeLabel(vocabulary, code)).join(', ');
}

function optionWords(options: Option[], value: number | null | undefined): string {
  if (value === null || value === undefined) return NOT_RECORDED;
  return options.find((o) => o.value === String(value))?.label ?? String(value);
}

function numberWords(value: number | null | undefined, unit = ''): string {
  return value === null || value === undefined ? NOT_RECORDED : `${value}${unit}`;
}

export interface CaseViewRow {
  path: string;
  label: string;
  value: string;
}
export interface CaseViewGroup {
  legend: string;
  rows: CaseViewRow[];
}

// The case's fields in words, grouped like the case form; conditional fields only where they apply.
export function caseViewGroups(c: CaseResponse, patient?: Pick<PatientResponse, 'sex'> | null): CaseViewGroup[] {
  const row = (path: string, value: string, label = fieldLabel(path)): CaseViewRow => ({ path, label, value });
  const v = CASE_VOCABULARIES;
  const applying = (rows: Array<CaseViewRow | false>) => rows.filter((r): r is CaseViewRow => r !== false);
  return [
    {
      legend: 'Patient',
      rows: [row('patientId', c.patientId), row('patient.sex', patient ? codeWords(SEX, patient.sex) : NOT_RECORDED)],
    },
    {
      legend: 'Operation',
      rows: [row('surgeryDate', c.surgeryDate), row('side', codeWords(v.side, c.side))],
    },
    {
      legend: 'Indication and work-up',
      rows: applying([
        row('indications', listWords(v.indications, c.indications)),
        row('priorIpsilateralSurgery', listWords(v.priorIpsilateralSurgery, c.priorIpsilateralSurgery)),
        row('symptomDurationMonths', numberWords(c.symptomDurationMonths)),
        row('activityLevel', codeWords(v.activityLevel, c.activityLevel)),
        row('heightCm', numberWords(c.heightCm)),
        row('weightKg', numberWords(c.weightKg)),
        row('bmi', c.bmi === null || c.bmi === undefined ? NOT_RECORDED : `${c.bmi.toFixed(1)} kg/m²`, VIEW_LABELS.bmi),
        row('conservativeTreatment', listWords(v.conservativeTreatment, c.conservativeTreatment)),
        row('examination.snappingReproduced', yesNo(c.examination?.snappingReproduced)),
        row('diagnosticInjection.performed', yesNo(c.diagnosticInjection.performed)),
        c.diagnosticInjection.performed &&
          row(
            'diagnosticInjection.response',
            codeWords(v['diagnosticInjection.response'], c.diagnosticInjection.response),
          ),
        row('imaging.alphaAngle', numberWords(c.imaging?.alphaAngle, '°')),
        row('imaging.lateralCenterEdgeAngle', numberWords(c.imaging?.lateralCenterEdgeAngle, '°')),
        row('imaging.tonnisGrade', optionWords(TONNIS_OPTIONS, c.imaging?.tonnisGrade)),
        row('imaging.dynamicUltrasoundSnapping', yesNo(c.imaging?.dynamicUltrasoundSnapping)),
        row('imaging.bifidTendonOnMri', yesNo(c.imaging?.bifidTendonOnMri)),
      ]),
    },
    {
      legend: 'Set-up',
      rows: applying([
        row('anesthesia', codeWords(v.anesthesia, c.anesthesia)),
        row('positioning', codeWords(v.positioning, c.positioning)),
        row('tractionMinutes', numberWords(c.tractionMinutes)),
        row('operativeMinutes', numberWords(c.operativeMinutes)),
        row('portals', listWords(v.portals, c.portals)),
        c.portals.includes('other') && row('portalsOther', c.portalsOther?.trim() || NOT_RECORDED),
        row('capsulotomy', codeWords(v.capsulotomy, c.capsulotomy)),
        c.capsulotomy !== 'none' && row('capsularClosure', yesNo(c.capsularClosure)),
      ]),
    },
    {
      legend: 'Findings',
      rows: [
        row('findings.labralTear', yesNo(c.findings.labralTear)),
        row('findings.anteriorLabralLesionAtPsoas', yesNo(c.findings.anteriorLabralLesionAtPsoas)),
        row('findings.cam', yesNo(c.findings.cam)),
        row('findings.pincer', yesNo(c.findings.pincer)),
        row('findings.acetabularCartilageIcrs', optionWords(ICRS_OPTIONS, c.findings.acetabularCartilageIcrs)),
        row('findings.femoralCartilageIcrs', optionWords(ICRS_OPTIONS, c.findings.femoralCartilageIcrs)),
      ],
    },
    {
      legend: 'Release',
      rows: applying([
        row('release.location', codeWords(v['release.location'], c.release.location)),
        c.release.location === 'capsular' &&
          row('release.capsularLevel', codeWords(v['release.capsularLevel'], c.release.capsularLevel)),
        row('release.technique', codeWords(v['release.technique'], c.release.technique)),
        row('release.tendonBundles', optionWords(TENDON_BUNDLE_OPTIONS, c.release.tendonBundles)),
        c.release.tendonBundles > 1 && row('release.allBundlesReleased', yesNo(c.release.allBundlesReleased)),
      ]),
    },
    {
      legend: 'Impingement repair',
      rows: applying([
        row('impingementRepair.performed', yesNo(c.impingementRepair.performed)),
        c.impingementRepair.performed &&
          row(
            'impingementRepair.procedures',
            listWords(v['impingementRepair.procedures'], c.impingementRepair.procedures ?? []),
          ),
      ]),
    },
    {
      legend: 'Prophylaxis, events and notes',
      rows: [
        row('hoProphylaxis', codeWords(v.hoProphylaxis, c.hoProphylaxis)),
        row('intraoperativeEvents', listWords(v.intraoperativeEvents, c.intraoperativeEvents)),
        row('notes', c.notes?.trim() || 'None'),
      ],
    },
  ];
}

// ---- Follow-ups and complications in words ----

export interface FollowUpRow {
  id: string;
  timepoint: string;
  visitDate: string;
  day: number;
  contactMode: string;
  // One line per instrument sent: its score, or why there is none.
  proms: string[];
}

export function followUpRows(followUps: readonly FollowUpResponse[]): FollowUpRow[] {
  return [...followUps]
    .sort((a, b) => a.visitDate.localeCompare(b.visitDate))
    .map((f) => ({
      id: f.id,
      timepoint: TIMEPOINT_LABELS[f.timepoint] ?? 'Unscheduled',
      visitDate: f.visitDate,
      day: f.day,
      contactMode: codeWords(CONTACT_MODE, f.contactMode),
      proms: (Object.keys(INSTRUMENT_LABELS) as Array<keyof typeof INSTRUMENT_LABELS>)
        .filter((key) => f.proms[key])
        .map((key) => {
          const result = f.proms[key]!;
          return result.score === null || result.score === undefined
            ? `${INSTRUMENT_LABELS[key]}: not scored (${result.unscoredReason ?? 'no score'})`
            : `${INSTRUMENT_LABELS[key]}: ${result.score.toFixed(1)}`;
        }),
    }));
}

export interface ComplicationRow {
  id: string;
  type: string;
  onset: string;
  grades: string[];
}

export function complicationRows(complications: readonly ComplicationResponse[]): ComplicationRow[] {
  const cv = COMPLICATION_VOCABULARIES;
  return [...complications]
    .sort((a, b) => a.onsetDate.localeCompare(b.onsetDate))
    .map((c) => ({
      id: c.id,
      type: c.type === 'other' && c.description ? `Other: ${c.description}` : codeWords(COMPLICATION_TYPE, c.type),
      onset: `${c.onsetDate} (day ${c.onsetDay})`,
      grades: [
        `Sink grade ${codeWords(cv.sinkGrade, String(c.sinkGrade) as never)}`,
        c.brookerGrade !== null && `Brooker grade ${codeWords(cv.brookerGrade, String(c.brookerGrade) as never)}`,
        c.clavienDindo !== null && `Clavien–Dindo grade ${codeWords(cv.clavienDindo, c.clavienDindo)}`,
        c.recurrenceCause !== null && `Cause: ${codeWords(cv.recurrenceCause, c.recurrenceCause)}`,
        c.reoperation &&
          `Reoperation ${c.reoperation.date}: ${codeWords(REOPERATION_PROCEDURE, c.reoperation.procedure)}`,
        c.resolvedDate && `Resolved ${c.resolvedDate}`,
      ].filter((g): g is string => typeof g === 'string'),
    }));
}

// ---- The audit history in words ----

// Fields the history names that the forms do not show.
const VIEW_LABELS: Record<string, string> = {
  bmi: 'Body-mass index',
  status: 'Status',
  registryCode: 'Registry code',
  patientId: 'Patient registry id',
  surgeonId: 'Surgeon',
  visitDate: 'Visit date',
  contactMode: 'Contact mode',
  snapping: 'Snapping',
  groinPain: 'Groin pain',
  hipFlexionStrength: 'Hip flexion strength',
  returnedToSport: 'Returned to sport',
  satisfaction: 'Satisfaction',
  caseId: 'Case',
};

export function historyFieldLabel(field: string): string {
  const label = fieldLabel(field);
  if (label !== 'This field') return label;
  if (VIEW_LABELS[field]) return VIEW_LABELS[field];
  if (field.startsWith('proms.')) {
    const [, instrument] = field.split('.');
    return `${INSTRUMENT_LABELS[instrument as keyof typeof INSTRUMENT_LABELS] ?? 'Questionnaire'} answers`;
  }
  return 'Another field';
}

const NUMERIC_OPTIONS: Record<string, Option[]> = {
  'imaging.tonnisGrade': TONNIS_OPTIONS,
  'findings.acetabularCartilageIcrs': ICRS_OPTIONS,
  'findings.femoralCartilageIcrs': ICRS_OPTIONS,
  'release.tendonBundles': TENDON_BUNDLE_OPTIONS,
};

const ENTITY_VOCABULARIES: Record<HistoryEntry['entity'], Record<string, Vocabulary<string>>> = {
  case: { ...CASE_VOCABULARIES, status: CASE_STATUS } as Record<string, Vocabulary<string>>,
  patient: { sex: SEX } as Record<string, Vocabulary<string>>,
  follow_up: {
    contactMode: CONTACT_MODE,
    snapping: SNAPPING,
    returnedToSport: RETURNED_TO_SPORT,
  } as Record<string, Vocabulary<string>>,
  complication: COMPLICATION_VOCABULARIES as unknown as Record<string, Vocabulary<string>>,
};

// A value in an audit change, in words: codes by the field's vocabulary, booleans Yes/No, null "—".
export function changeValueWords(entity: HistoryEntry['entity'], field: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  const vocabulary = ENTITY_VOCABULARIES[entity]?.[field];
  if (Array.isArray(value)) {
    if (!value.length) return 'None';
    return value.map((item) => changeValueWords(entity, field, item)).join(', ');
  }
  if (typeof value === 'number' && NUMERIC_OPTIONS[field] && entity === 'case')
    return optionWords(NUMERIC_OPTIONS[field], value);
  if (vocabulary && (typeof value === 'string' || typeof value === 'number')) {
    const code = String(value);
    if ((vocabulary.codes as readonly string[]).includes(code)) return codeLabel(vocabulary, code);
  }
  if (typeof value === 'object') return 'Answers recorded';
  return String(value);
}

export const ACTION_LABELS: Record<HistoryEntry['action'], string> = {
  create: 'Created',
  update: 'Changed',
  amend: 'Amended',
  sign: 'Signed',
  delete: 'Deleted',
  read: 'Read',
};
const ENTITY_LABELS: Record<HistoryEntry['entity'], string> = {
  case: 'case',
  patient: 'patient',
  follow_up: 'follow-up',
  complication: 'complication',
};

export interface HistoryRow {
  key: string;
  who: string;
  at: string;
  action: string;
  field: string;
  before: string;
  after: string;
  reason: string;
}

// One row per changed field; a creation is one row (every field recorded from nothing). Reads are
// audited too, but they change nothing: they are counted (readCount), not listed.
export function historyRows(items: readonly HistoryEntry[]): HistoryRow[] {
  return items.flatMap((entry, index) => {
    if (entry.action === 'read') return [];
    const base = {
      who: entry.actor?.displayName ?? 'The registry',
      at: entry.at,
      action:
        `${ACTION_LABELS[entry.action] ?? 'Changed'} ${entry.entity === 'case' ? '' : `(${ENTITY_LABELS[entry.entity]})`}`.trim(),
      reason: entry.reason ?? '',
    };
    if (entry.action === 'create' || entry.action === 'delete' || !entry.changes.length) {
      const field = entry.action === 'create' ? `${entry.changes.length} fields recorded` : '—';
      return [{ ...base, key: `${index}`, field, before: '', after: '' }];
    }
    return entry.changes.map((change, i) => ({
      ...base,
      key: `${index}.${i}`,
      field: historyFieldLabel(change.field),
      before: changeValueWords(entry.entity, change.field, change.from),
      after: changeValueWords(entry.entity, change.field, change.to),
    }));
  });
}

export const readCount = (items: readonly HistoryEntry[]) => items.filter((e) => e.action === 'read').length;

// Who signed the case (the history's `sign` entry), if it is signed.
export function signerOf(items: readonly HistoryEntry[]): { name: string; at: string } | null {
  const sign = [...items].reverse().find((entry) => entry.action === 'sign' && entry.entity === 'case');
  return sign ? { name: sign.actor?.displayName ?? 'The registry', at: sign.at } : null;
}
