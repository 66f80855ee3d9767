// The follow-up form's values (DOMAIN.md § Follow-up visit, CreateFollowUpRequest), their words, the checks run
// in the browser before sending (libs/clinical's checkVisitRules, as the server runs it, and the schema's ranges),
// and the request body: an instrument is sent when at least one of its items is answered.
import {
  CONTACT_MODE,
  type ContactMode,
  checkVisitRules,
  daysBetween,
  deriveTimepoint,
  EQ5D5L_DIMENSIONS,
  type Eq5d5l,
  HOS_ADL_ITEMS,
  HOS_SPORT_ITEMS,
  IHOT12_ITEMS,
  INSTRUMENT_SHORT_NAMES,
  type Instrument,
  ITEM_RULES,
  MHHS_ITEM_NAMES,
  MHHS_WORDING,
  type MhhsItem,
  NAHS_ITEMS,
  RETURNED_TO_SPORT,
  type ReturnedToSport,
  SNAPPING,
  type Snapping,
  type Timepoint,
} from '@ilr/clinical';
import type { components } from '../api/schema.js';
import type { FieldErrorBody, FieldErrors } from './problem.js';
import { TIMEPOINT_LABELS } from './visit-labels.js';

export type CreateFollowUpRequest = components['schemas']['CreateFollowUpRequest'];
export type FollowUpResponse = components['schemas']['FollowUpResponse'];
export type HosAnswer = 4 | 3 | 2 | 1 | 0 | 'na';
type Eq5dKey = keyof Eq5d5l;

export interface FollowUpFormValues {
  visitDate: string | null;
  contactMode: ContactMode | null;
  snapping: Snapping | null;
  groinPain: number | null;
  hipFlexionStrength: number | null;
  returnedToSport: ReturnedToSport | null;
  satisfaction: number | null;
  proms: {
    mhhs: Record<MhhsItem, string | null>;
    ihot12: Array<number | null>;
    hosAdl: Array<HosAnswer | null>;
    hosSport: Array<HosAnswer | null>;
    nahs: Array<number | null>;
    eq5d5l: Record<Eq5dKey, number | null>;
  };
}

const nulls = <T>(n: number): Array<T | null> => Array.from({ length: n }, () => null);

export function emptyFollowUpFormValues(): FollowUpFormValues {
  return {
    visitDate: null,
    contactMode: null,
    snapping: null,
    groinPain: null,
    hipFlexionStrength: null,
    returnedToSport: null,
    satisfaction: null,
    proms: {
      mhhs: Object.fromEntries(MHHS_ITEM_NAMES.map((item) => [item, null])) as Record<MhhsItem, null>,
      ihot12: nulls(ITEM_RULES.ihot12.items),
      hosAdl: nulls(ITEM_RULES.hosAdl.items),
      hosSport: nulls(ITEM_RULES.hosSport.items),
      nahs: nulls(ITEM_RULES.nahs.items),
      eq5d5l: {
        mobility: null,
        selfCare: null,
        usualActivities: null,
        painDiscomfort: null,
        anxietyDepression: null,
        vas: null,
      },
    },
  };
}

export const REQUIRED_FOLLOW_UP_FIELDS = ['visitDate', 'contactMode'] as const;
export const FOLLOW_UP_VOCABULARIES = {
  contactMode: CONTACT_MODE,
  snapping: SNAPPING,
  returnedToSport: RETURNED_TO_SPORT,
} as const;

export const MRC_OPTIONS = [
  { value: '0', label: '0 — no contraction' },
  { value: '1', label: '1 — flicker of contraction' },
  { value: '2', label: '2 — movement with gravity eliminated' },
  { value: '3', label: '3 — movement against gravity' },
  { value: '4', label: '4 — movement against some resistance' },
  { value: '5', label: '5 — normal power' },
];

export const FOLLOW_UP_LABELS: Readonly<Record<string, string>> = {
  visitDate: 'Visit date',
  timepoint: 'Timepoint',
  contactMode: 'Contact',
  snapping: 'Snapping',
  groinPain: 'Groin pain (0–10)',
  hipFlexionStrength: 'Hip flexion strength (MRC grade)',
  returnedToSport: 'Returned to sport',
  satisfaction: 'Satisfaction (0–10)',
  proms: 'Questionnaires',
};

const EQ5D_NAMES: Record<Eq5dKey, string> = {
  ...(Object.fromEntries(EQ5D5L_DIMENSIONS.map((d) => [d.key, d.name.replace(/ \(.*\)$/, '')])) as Record<
    Exclude<Eq5dKey, 'vas'>,
    string
  >),
  vas: 'Health today (VAS)',
};

// Words for a form path: a visit field, an instrument (`proms.hosAdl`) or one item (`proms.hosAdl.3`, `proms.mhhs.pain`).
export function followUpFieldLabel(path: string): string {
  if (FOLLOW_UP_LABELS[path]) return FOLLOW_UP_LABELS[path];
  const match = /^proms\.(\w+)(?:\.(\w+))?$/.exec(path.replace(/\[(\d+)\]/g, '.$1'));
  if (!match || !(match[1] in INSTRUMENT_SHORT_NAMES)) return 'This field';
  const instrument = match[1] as Instrument;
  const name = INSTRUMENT_SHORT_NAMES[instrument];
  const item = match[2];
  if (item === undefined) return name;
  if (instrument === 'mhhs') return `${name}: ${MHHS_WORDING[item as MhhsItem]?.text ?? item}`;
  if (instrument === 'eq5d5l') return `${name}: ${EQ5D_NAMES[item as Eq5dKey] ?? item}`;
  return `${name} item ${Number(item) + 1}`;
}

// Days after surgery and the timepoint of a visit date, once the date is a whole one.
export function liveTimepoint(
  surgeryDate: string | undefined,
  visitDate: string | null,
): { day: number; timepoint: Timepoint; label: string } | null {
  if (!surgeryDate || !visitDate || !/^\d{4}-\d{2}-\d{2}$/.test(visitDate)) return null;
  if (Number.isNaN(Date.parse(`${visitDate}T00:00:00Z`))) return null;
  const timepoint = deriveTimepoint(surgeryDate, visitDate);
  return { day: daysBetween(surgeryDate, visitDate), timepoint, label: TIMEPOINT_LABELS[timepoint] };
}

// A visit's day in words: "7 days before surgery", "the day of surgery", "365 days after surgery".
export function dayWords(day: number): string {
  if (day === 0) return 'the day of surgery';
  const n = Math.abs(day);
  return `${n} ${n === 1 ? 'day' : 'days'} ${day < 0 ? 'before' : 'after'} surgery`;
}

const answered = (value: unknown) => value !== null && value !== undefined;

// How many items of each instrument the form has answered ("Not applicable" counts as an answer given).
export function answeredItems(proms: FollowUpFormValues['proms']): Record<Instrument, number> {
  return {
    mhhs: Object.values(proms.mhhs).filter(answered).length,
    ihot12: proms.ihot12.filter(answered).length,
    hosAdl: proms.hosAdl.filter(answered).length,
    hosSport: proms.hosSport.filter(answered).length,
    nahs: proms.nahs.filter(answered).length,
    eq5d5l: Object.values(proms.eq5d5l).filter(answered).length,
  };
}

export const INSTRUMENT_ITEM_COUNTS: Record<Instrument, number> = {
  mhhs: ITEM_RULES.mhhs.items,
  ihot12: ITEM_RULES.ihot12.items,
  hosAdl: ITEM_RULES.hosAdl.items,
  hosSport: ITEM_RULES.hosSport.items,
  nahs: ITEM_RULES.nahs.items,
  eq5d5l: EQ5D5L_DIMENSIONS.length + 1,
};

export interface FollowUpCheckContext {
  surgeryDate: string;
  today: string;
}

const decimals = (value: number) => (String(value).split('.')[1] ?? '').length;

function checkRange(
  errors: FieldErrorBody[],
  field: string,
  value: number | null,
  min: number,
  max: number,
  places: number,
) {
  if (value === null || value === undefined) return;
  const label = followUpFieldLabel(field);
  if (!Number.isFinite(value) || value < min || value > max)
    errors.push({ field, code: 'out_of_range', message: `${label} must be between ${min} and ${max}` });
  else if (decimals(value) > places)
    errors.push({
      field,
      code: 'precision',
      message: places === 0 ? `${label} must be a whole number` : `${label} takes at most ${places} decimal`,
    });
}

// Every problem with the form as the server would see it, by form field path; an empty object when it can be sent.
export function checkFollowUpValues(values: FollowUpFormValues, context: FollowUpCheckContext): FieldErrors {
  const errors: FieldErrorBody[] = [];
  if (!values.visitDate) errors.push({ field: 'visitDate', code: 'required', message: 'Visit date is required' });
  else
    for (const v of checkVisitRules({ visitDate: values.visitDate }, context))
      errors.push({ ...v, message: v.code === 'in_future' ? 'Visit date must not be in the future' : v.message });
  if (!values.contactMode) errors.push({ field: 'contactMode', code: 'required', message: 'Contact is required' });
  checkRange(errors, 'groinPain', values.groinPain, 0, 10, 1);
  checkRange(errors, 'hipFlexionStrength', values.hipFlexionStrength, 0, 5, 0);
  checkRange(errors, 'satisfaction', values.satisfaction, 0, 10, 0);
  values.proms.ihot12.forEach((v, i) => checkRange(errors, `proms.ihot12.${i}`, v, 0, 100, 2));
  const eq = values.proms.eq5d5l;
  const eqKeys = Object.keys(eq) as Eq5dKey[];
  if (eqKeys.some((k) => answered(eq[k])))
    for (const k of eqKeys)
      if (!answered(eq[k]))
        errors.push({
          field: `proms.eq5d5l.${k}`,
          code: 'required',
          message: `${followUpFieldLabel(`proms.eq5d5l.${k}`)} is needed: EQ-5D-5L is recorded whole or not at all`,
        });
  checkRange(errors, 'proms.eq5d5l.vas', eq.vas, 0, 100, 0);
  const out: FieldErrors = {};
  for (const e of errors) out[e.field] ??= /[.!?]$/.test(e.message) ? e.message : `${e.message}.`;
  return out;
}

// The body of a form that passed checkFollowUpValues.
export function toCreateFollowUpRequest(values: FollowUpFormValues): CreateFollowUpRequest {
  if (!values.visitDate || !values.contactMode) throw new Error('toCreateFollowUpRequest needs a checked form');
  const body: CreateFollowUpRequest = { visitDate: values.visitDate, contactMode: values.contactMode };
  if (values.snapping) body.snapping = values.snapping;
  if (values.groinPain !== null) body.groinPain = values.groinPain;
  if (values.hipFlexionStrength !== null) body.hipFlexionStrength = values.hipFlexionStrength;
  if (values.returnedToSport) body.returnedToSport = values.returnedToSport;
  if (values.satisfaction !== null) body.satisfaction = values.satisfaction;
  const p = values.proms;
  const count = answeredItems(p);
  const proms: NonNullable<CreateFollowUpRequest['proms']> = {};
  if (count.mhhs) proms.mhhs = { ...p.mhhs } as NonNullable<typeof proms.mhhs>;
  if (count.ihot12) proms.ihot12 = [...p.ihot12];
  if (count.hosAdl) proms.hosAdl = [...p.hosAdl];
  if (count.hosSport) proms.hosSport = [...p.hosSport];
  if (count.nahs) proms.nahs = [...p.nahs];
  if (count.eq5d5l) proms.eq5d5l = { ...p.eq5d5l } as Eq5d5l;
  if (Object.keys(proms).length) body.proms = proms;
  return body;
}

// The paths the form has a control for (server errors elsewhere are listed with the message).
export const FOLLOW_UP_FORM_FIELDS: ReadonlySet<string> = new Set([
  'visitDate',
  'contactMode',
  'snapping',
  'groinPain',
  'hipFlexionStrength',
  'returnedToSport',
  'satisfaction',
  ...MHHS_ITEM_NAMES.map((item) => `proms.mhhs.${item}`),
  ...IHOT12_ITEMS.map((_, i) => `proms.ihot12.${i}`),
  ...HOS_ADL_ITEMS.map((_, i) => `proms.hosAdl.${i}`),
  ...HOS_SPORT_ITEMS.map((_, i) => `proms.hosSport.${i}`),
  ...NAHS_ITEMS.map((_, i) => `proms.nahs.${i}`),
  ...(['mobility', 'selfCare', 'usualActivities', 'painDiscomfort', 'anxietyDepression', 'vas'] as const).map(
    (k) => `proms.eq5d5l.${k}`,
  ),
  ...(['mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs', 'eq5d5l'] as const).map((i) => `proms.${i}`),
]);

// API paths in a server message (`visitDate`, `proms.ihot12[3]`) become the form's words.
const API_PATH =
  /(?<![\w.])(visitDate|contactMode|snapping|groinPain|hipFlexionStrength|returnedToSport|satisfaction|proms(?:\.\w+)?(?:\[\d+\]|\.\w+)?)(?![\w[])/g;

export function followUpErrorMessage(message: string): string {
  const worded = message.replace(API_PATH, (match, path: string) => {
    const label = followUpFieldLabel(path);
    return label === 'This field' ? match : label;
  });
  // Instrument names keep their case (iHOT-12, mHHS).
  const sentence = /^[a-z][A-Z]/.test(worded) ? worded : worded.charAt(0).toUpperCase() + worded.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

// The server's field errors by form path (`proms.ihot12[3]` → `proms.ihot12.3`); others stay in `other`.
export function followUpServerErrors(errors: FieldErrorBody[] | undefined): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const error of errors ?? []) {
    const path = error.field.replace(/\[(\d+)\]/g, '.$1');
    const message = followUpErrorMessage(error.message);
    if (FOLLOW_UP_FORM_FIELDS.has(path)) fields[path] ??= message;
    else other.push(message);
  }
  return { fields, other };
}

export interface PromResultRow {
  instrument: Instrument;
  name: string;
  // One decimal, as shown; null when not scored.
  score: string | null;
  answered: number;
  items: number;
  note: string | null;
}

export const formatScore = (score: number) => score.toFixed(1);

// The scores the server computed, instrument by instrument in INSTRUMENT order, for the saved page.
export function promResultRows(proms: FollowUpResponse['proms']): PromResultRow[] {
  const order: Instrument[] = ['mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs', 'eq5d5l'];
  return order.flatMap((instrument) => {
    const result = proms[instrument];
    if (!result) return [];
    const scored = result.score !== null && result.score !== undefined;
    return [
      {
        instrument,
        name: INSTRUMENT_SHORT_NAMES[instrument],
        score: scored ? formatScore(result.score!) : null,
        answered: result.answered,
        items: INSTRUMENT_ITEM_COUNTS[instrument],
        note: scored
          ? null
          : instrument === 'eq5d5l'
            ? (result.unscoredReason ?? 'Stored as given')
            : `Not scored: too few items (${result.unscoredReason ?? `${result.answered} answered`})`,
      },
    ];
  });
}
