import {
  ACTIVITY_LEVEL,
  ageInYears,
  ANESTHESIA,
  bodyMassIndex,
  CAPSULAR_LEVEL,
  CAPSULOTOMY,
  CASE_STATUS,
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
  ITEM_RULES,
  MHHS_ITEMS,
  PORTAL,
  POSITIONING,
  PRIOR_SURGERY,
  RECURRENCE_CAUSE,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  REOPERATION_PROCEDURE,
  RETURNED_TO_SPORT,
  SCHEDULED_TIMEPOINTS,
  SEX,
  SIDE,
  SNAPPING,
  TIMEPOINT_WINDOWS,
  TIMEPOINTS,
  type Vocabulary,
  vocabularyOf,
} from '@ilr/clinical';
import { EXPORT_INSTRUMENTS, type ExportDataset, factColumn } from '@ilr/persistence';
import { CSV_FALSE, CSV_NONE, CSV_TRUE } from './export-format.js';

// The export columns, defined once: the exports write them, the data dictionary describes them.
// Each column says how it is de-identified (DOMAIN.md § De-identification; HIPAA Safe Harbor):
// - kept: not identifying, exported as is
// - pseudonymised: HMAC-SHA256 export id (first 16 hex digits)
// - day: a date turned into days after that case's surgery
// - year: the surgery year only
// - age: whole years at surgery, 90 and over as "90+"
// - identified_only: MRN, exact dates, registry codes, database ids and free text; only with identified=true (admin)
// - window_status: whether a follow-up window had closed at the export date (yes/no, never a date)
export type Deidentification = 'kept' | 'pseudonymised' | 'day' | 'year' | 'age' | 'window_status' | 'identified_only';
export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'code' | 'codes' | 'date' | 'json';

export interface ExportContext {
  // The registry's today when the export ran (REGISTRY_TIME_ZONE): the windowClosed_* columns' reference.
  exportDate: string;
  pseudonym(id: string): string;
  decryptMrn(ciphertext: Buffer): string;
}

export interface ExportColumn {
  name: string;
  // A SQL expression of the value over the export query (c, p, f); lets PostgreSQL render the CSV text.
  source?: string;
  type: ColumnType;
  description: string;
  unit?: string;
  codes?: Vocabulary<string>;
  deidentification: Deidentification;
  // Code lists: what the literal `none` (an empty list) means in this column.
  none?: string;
  // What an empty CSV cell (NDJSON null, R's NA) means here, when more can be said than "not recorded".
  blank?: string;
  value(row: Record<string, any>, context: ExportContext): unknown;
}

export const DEIDENTIFICATION_RULES: Record<Deidentification, string> = {
  kept: 'Not identifying; exported as recorded.',
  pseudonymised:
    'First 16 hex digits of HMAC-SHA256(export key, database id): stable across exports, not reversible without the key.',
  day: "Date replaced by the number of days after the case's surgery.",
  year: 'Only the year of surgery.',
  age: 'Whole years at surgery; 90 and over as "90+".',
  window_status:
    "TRUE when the follow-up window's last day (surgery + its last day) was before the export date, else FALSE: a yes/no per timepoint that tells only which window ends a case has passed, never a date.",
  identified_only:
    'Identifying (MRN, exact date, registry code, database id or free text): only in identified exports (admin).',
};

// How values are written, for the dictionary and the manifests.
export const FORMAT_CONVENTIONS = {
  csv: {
    file: 'UTF-8, RFC 4180, a header row, CRLF line ends; fields holding a comma, quote or line break are quoted.',
    booleans: `${CSV_TRUE} / ${CSV_FALSE}: read as logical by R (read.csv and readr) and pandas with their defaults.`,
    codeLists: `Codes joined by ';'. \`${CSV_NONE}\` = recorded as an empty list (none applies); an empty cell = not recorded.`,
    emptyCell: 'Not recorded or not applicable: NA in R, NaN/<NA> in pandas. Each column says what it means there.',
    numbers: 'Decimal point, shortest round-trip form, unrounded (PROM scores are not rounded to one decimal).',
    text: 'Text starting with = + - @ (identified exports only carry free text) gets a leading apostrophe, so spreadsheets do not run it.',
  },
  ndjson: {
    file: 'UTF-8, one JSON object per line, LF line ends; keys are the column names.',
    booleans: 'JSON true / false.',
    codeLists: 'JSON arrays of codes; [] = none applies; null = not recorded.',
    emptyCell: 'null.',
  },
} as const;

const day = (row: Record<string, any>, date: string | null | undefined) =>
  date ? daysBetween(row.surgery_date, date) : null;

function col(
  name: string,
  type: ColumnType,
  deidentification: Deidentification,
  description: string,
  value: ExportColumn['value'],
  extra: Partial<ExportColumn> = {},
): ExportColumn {
  return { name, type, deidentification, description, value, ...extra };
}
const code = (name: string, vocabulary: Vocabulary<string>, description: string, field: string) =>
  col(name, 'code', 'kept', description, (r) => r[field] ?? null, { codes: vocabulary });

// Keys shared by the three datasets.
const KEYS: ExportColumn[] = [
  col('exportId', 'string', 'pseudonymised', 'Case export id', (r, c) => c.pseudonym(r.case_id ?? r.id)),
  col('patientExportId', 'string', 'pseudonymised', 'Patient export id (links bilateral cases)', (r, c) =>
    c.pseudonym(r.patient_id),
  ),
];
const IDENTIFIED_KEYS: ExportColumn[] = [
  col('caseId', 'string', 'identified_only', 'Case database id', (r) => r.case_id ?? r.id),
  col('registryCode', 'string', 'identified_only', 'Registry code (ILR-000123)', (r) => r.registry_code),
];

const TIMEPOINT_LABEL: Record<string, string> = {
  preop: 'preoperative',
  '6w': '6-week',
  '3m': '3-month',
  '6m': '6-month',
  '1y': '1-year',
  '2y': '2-year',
  '5y': '5-year',
};
const INSTRUMENT_LABEL: Record<string, string> = {
  mhhs: 'mHHS',
  ihot12: 'iHOT-12',
  hosAdl: 'HOS-ADL',
  hosSport: 'HOS-Sport',
  nahs: 'NAHS',
};

// A column read straight from the query (`c.` case, `p.` patient, `f.` facts), which PostgreSQL can
// also render as CSV text itself (see `source`).
function kept(
  name: string,
  type: ColumnType,
  description: string,
  source: string,
  extra: Partial<ExportColumn> = {},
): ExportColumn {
  const field = source.slice(source.indexOf('.') + 1);
  const deidentification = extra.deidentification ?? 'kept';
  return col(name, type, deidentification, description, (r) => r[field] ?? null, { source, ...extra });
}
const keptCode = (name: string, vocabulary: Vocabulary<string>, description: string, source: string) =>
  kept(name, 'code', description, source, { codes: vocabulary });
// A code list: `a;b` in CSV, `none` when the list was recorded empty, an empty cell when not recorded.
const keptCodes = (
  name: string,
  vocabulary: Vocabulary<string>,
  description: string,
  source: string,
  missing: Pick<ExportColumn, 'none' | 'blank'>,
) =>
  col(
    name,
    'codes',
    'kept',
    `${description} (semicolon-separated in CSV; \`${CSV_NONE}\` when none)`,
    (r) => r[source.slice(2)] ?? null,
    { codes: vocabulary, source, ...missing },
  );
// The API stores an omitted optional list as an empty one, so for these "none" also covers "not asked".
const OPTIONAL_LIST = {
  none: 'None: the list was recorded with nothing in it.',
  blank:
    'Not recorded: the list was omitted or cleared. Cases logged before the registry told the two apart ' +
    '(migration NullableCaseCodeLists) recorded an omitted list as none.',
};
const REQUIRED_LIST = {
  none: 'Never written: at least one code is required.',
  blank: 'Never empty: at least one code is required.',
};

const SCORE_BLANK =
  'No visit in the window, the instrument not answered at it, or too few items answered for a score (rules.proms).';

// Order: keys and the columns computed here first, then the columns PostgreSQL can render itself.
const CASE_COLUMNS: ExportColumn[] = [
  ...KEYS,
  col('surgeonExportId', 'string', 'pseudonymised', 'Surgeon export id', (r, c) => c.pseudonym(r.surgeon_id)),
  ...IDENTIFIED_KEYS,
  col(
    'surgeonEmail',
    'string',
    'identified_only',
    "The surgeon's registry account (email): names the surgeon when the file is imported",
    (r) => r.surgeon_email,
  ),
  col('mrn', 'string', 'identified_only', 'Medical record number', (r, c) => c.decryptMrn(r.mrn_ciphertext)),
  col('birthDate', 'date', 'identified_only', 'Birth date', (r) => r.birth_date),
  col('surgeryDate', 'date', 'identified_only', 'Surgery date', (r) => r.surgery_date),
  col('portalsOther', 'string', 'identified_only', "Free text naming the 'other' portal", (r) => r.portals_other),
  col('notes', 'string', 'identified_only', 'Free-text notes', (r) => r.notes),
  col('surgeryYear', 'integer', 'year', 'Year of surgery', (r) => Number(r.surgery_date.slice(0, 4))),
  col(
    'ageAtSurgery',
    'string',
    'age',
    'Age at surgery in whole years; "90+" from 90',
    (r) => {
      // Always text, so the column has one type: "34", "89", "90+".
      const age = ageInYears(r.birth_date, r.surgery_date);
      return age >= 90 ? '90+' : String(age);
    },
    { unit: 'years' },
  ),
  // Computed here (they need the export date), so they come before the SQL-rendered columns.
  ...TIMEPOINT_WINDOWS.map((w) =>
    col(
      `windowClosed_${w.code}`,
      'boolean',
      'window_status',
      `Whether the ${TIMEPOINT_LABEL[w.code]} window (days ${w.from}–${w.to}) had closed at the export date, i.e. surgery + ${w.to} days is before it. With visitDay_${w.code}: closed and no visit = missed (overdue if alive and consenting).`,
      (r, c) => daysBetween(r.surgery_date, c.exportDate) > w.to,
      { blank: 'Never empty.' },
    ),
  ),
  keptCode('sex', SEX, 'Sex (FHIR administrative gender)', 'p.sex'),
  keptCode('status', CASE_STATUS, 'Record status', 'c.status'),
  keptCode('side', SIDE, 'Operated side', 'c.side'),
  keptCodes('indications', INDICATION, 'Indications', 'c.indications', REQUIRED_LIST),
  keptCodes(
    'priorIpsilateralSurgery',
    PRIOR_SURGERY,
    'Prior ipsilateral surgery',
    'c.prior_ipsilateral_surgery',
    OPTIONAL_LIST,
  ),
  kept('injectionPerformed', 'boolean', 'Diagnostic injection performed', 'c.injection_performed'),
  keptCode('injectionResponse', INJECTION_RESPONSE, 'Response to the diagnostic injection', 'c.injection_response'),
  kept('symptomDurationMonths', 'integer', 'Symptom duration', 'c.symptom_duration_months', { unit: 'months' }),
  keptCodes(
    'conservativeTreatment',
    CONSERVATIVE_TREATMENT,
    'Conservative treatment tried',
    'c.conservative_treatment',
    OPTIONAL_LIST,
  ),
  kept('snappingReproduced', 'boolean', 'Examination reproduced the snap', 'c.exam_snapping_reproduced'),
  keptCode('activityLevel', ACTIVITY_LEVEL, 'Activity level', 'c.activity_level'),
  kept('heightCm', 'number', 'Height', 'c.height_cm', { unit: 'cm' }),
  kept('weightKg', 'number', 'Weight', 'c.weight_kg', { unit: 'kg' }),
  // BMI with the same floating-point steps as bodyMassIndex(): weight / (m × m), m = height / 100.
  col('bmi', 'number', 'kept', 'Body-mass index, derived', (r) => bodyMassIndex(r.height_cm, r.weight_kg), {
    unit: 'kg/m2',
    source: 'c.weight_kg / ((c.height_cm / 100) * (c.height_cm / 100))',
  }),
  kept('alphaAngle', 'number', 'Alpha angle', 'c.imaging_alpha_angle', { unit: 'degrees' }),
  kept('lateralCenterEdgeAngle', 'number', 'Lateral center-edge angle', 'c.imaging_lcea', { unit: 'degrees' }),
  kept('tonnisGrade', 'integer', 'Tönnis grade 0–3', 'c.imaging_tonnis_grade'),
  kept('dynamicUltrasoundSnapping', 'boolean', 'Snapping seen on dynamic ultrasound', 'c.imaging_dynamic_us_snapping'),
  kept('bifidTendonOnMri', 'boolean', 'Bifid tendon on MRI', 'c.imaging_bifid_tendon_on_mri'),
  keptCode('anesthesia', ANESTHESIA, 'Anaesthesia', 'c.anesthesia'),
  keptCode('positioning', POSITIONING, 'Patient positioning', 'c.positioning'),
  kept('tractionMinutes', 'integer', 'Traction time (0 = none)', 'c.traction_minutes', { unit: 'minutes' }),
  kept('operativeMinutes', 'integer', 'Operative time', 'c.operative_minutes', { unit: 'minutes' }),
  keptCodes('portals', PORTAL, 'Portals', 'c.portals', REQUIRED_LIST),
  keptCode('capsulotomy', CAPSULOTOMY, 'Capsulotomy', 'c.capsulotomy'),
  kept('capsularClosure', 'boolean', 'Capsule closed', 'c.capsular_closure'),
  kept('labralTear', 'boolean', 'Labral tear found', 'c.findings_labral_tear'),
  kept(
    'anteriorLabralLesionAtPsoas',
    'boolean',
    'Anterior ("3 o\'clock") labral lesion at the psoas',
    'c.findings_anterior_labral_lesion_at_psoas',
  ),
  kept('cam', 'boolean', 'Cam morphology', 'c.findings_cam'),
  kept('pincer', 'boolean', 'Pincer morphology', 'c.findings_pincer'),
  kept('acetabularCartilageIcrs', 'integer', 'Acetabular cartilage ICRS grade 0–4', 'c.findings_acetabular_icrs'),
  kept('femoralCartilageIcrs', 'integer', 'Femoral cartilage ICRS grade 0–4', 'c.findings_femoral_icrs'),
  keptCode('releaseLocation', RELEASE_LOCATION, 'Where the tendon was released', 'c.release_location'),
  keptCode('capsularLevel', CAPSULAR_LEVEL, 'Compartment of a capsular release', 'c.release_capsular_level'),
  keptCode('releaseTechnique', RELEASE_TECHNIQUE, 'Release technique', 'c.release_technique'),
  kept('tendonBundles', 'integer', 'Tendon bundles (2 = bifid, 3 = trifid)', 'c.release_tendon_bundles'),
  kept('allBundlesReleased', 'boolean', 'All bundles released (when more than one)', 'c.release_all_bundles_released'),
  kept('impingementRepair', 'boolean', 'Concurrent impingement repair performed', 'c.impingement_performed'),
  keptCodes('impingementProcedures', IMPINGEMENT_PROCEDURE, 'Concurrent procedures', 'c.impingement_procedures', {
    none: 'No concurrent procedure: impingementRepair is FALSE (the list is non-empty exactly when it is TRUE).',
    blank: 'Never empty: recorded with impingementRepair.',
  }),
  keptCode('hoProphylaxis', HO_PROPHYLAXIS, 'Heterotopic ossification prophylaxis', 'c.ho_prophylaxis'),
  keptCodes(
    'intraoperativeEvents',
    INTRAOPERATIVE_EVENT,
    'Intraoperative events',
    'c.intraoperative_events',
    OPTIONAL_LIST,
  ),
  col('deceasedDay', 'integer', 'day', 'Days from surgery to death', (r) => day(r, r.deceased_date), {
    unit: 'days',
    source: '(p.deceased_date - c.surgery_date)',
  }),
  kept(
    'lastContactDay',
    'integer',
    'Days from surgery to the last contact: the latest visit, complication onset, resolution or reoperation date, or death; 0 when nothing follows surgery. Cases without an event are censored here.',
    'f.last_contact_day',
    { unit: 'days', deidentification: 'day' },
  ),
  ...SCHEDULED_TIMEPOINTS.flatMap((t) => [
    kept(
      `visitDay_${t}`,
      'integer',
      `Days after surgery of the ${TIMEPOINT_LABEL[t]} visit used (nearest the target day)`,
      `f.${factColumn.visitDay(t)}`,
      { unit: 'days', deidentification: 'day', blank: 'No visit in this window.' },
    ),
    keptCode(`snapping_${t}`, SNAPPING, `Snapping at the ${TIMEPOINT_LABEL[t]} visit`, `f.${factColumn.snapping(t)}`),
    kept(
      `groinPain_${t}`,
      'number',
      `Groin pain NRS 0–10 at the ${TIMEPOINT_LABEL[t]} visit`,
      `f.${factColumn.groinPain(t)}`,
    ),
    ...EXPORT_INSTRUMENTS.map((i) =>
      kept(
        `${i}_${t}`,
        'number',
        `${INSTRUMENT_LABEL[i]} score 0–100 at the ${TIMEPOINT_LABEL[t]} visit`,
        `f.${factColumn.score(i, t)}`,
        { blank: SCORE_BLANK },
      ),
    ),
  ]),
  ...COMPLICATION_TYPE.codes.map((type) => {
    const flag = factColumn.hasComplication(type);
    return col(
      `complication_${type}`,
      'boolean',
      'kept',
      `Any complication: ${COMPLICATION_TYPE.labels[type]}`,
      (r) => r[flag] === true,
      { source: `coalesce(f.${flag}, false)`, blank: 'Never empty.' },
    );
  }),
  kept('maxBrookerGrade', 'integer', 'Highest Brooker grade of heterotopic ossification (1–4)', 'f.max_brooker_grade'),
  kept('firstComplicationDay', 'integer', 'Days from surgery to the first complication', 'f.first_complication_day', {
    unit: 'days',
    deidentification: 'day',
  }),
  kept('recurrenceDay', 'integer', 'Days from surgery to the first recurrent snapping', 'f.recurrence_day', {
    unit: 'days',
    deidentification: 'day',
  }),
  kept('reoperationDay', 'integer', 'Days from surgery to the first reoperation', 'f.reoperation_day', {
    unit: 'days',
    deidentification: 'day',
  }),
  kept(
    'conversionDay',
    'integer',
    'Days from surgery to conversion to arthroplasty: the reoperation date of the first conversion_to_arthroplasty complication',
    'f.conversion_day',
    {
      unit: 'days',
      deidentification: 'day',
    },
  ),
];

// The CSV text of a column as PostgreSQL renders it: the same text the encoder would write for the
// value (numbers in shortest round-trip form, booleans TRUE/FALSE, code lists joined by ';' or `none`
// when empty, null empty).
export function sqlCsvText(column: ExportColumn): string {
  const e = column.source!;
  switch (column.type) {
    case 'boolean':
      return `CASE WHEN (${e}) IS NULL THEN '' WHEN (${e}) THEN '${CSV_TRUE}' ELSE '${CSV_FALSE}' END`;
    case 'codes':
      return `CASE WHEN (${e}) IS NULL THEN '' WHEN cardinality(${e}) = 0 THEN '${CSV_NONE}' ELSE array_to_string(${e}, ';') END`;
    default:
      return `coalesce((${e})::text, '')`;
  }
}

// For the CSV fast path: the columns computed in Node, then the tail PostgreSQL renders as one
// comma-joined text. Null when the tail is empty.
export function csvSplit(columns: ExportColumn[]): { head: ExportColumn[]; tail: ExportColumn[] } | null {
  const first = columns.findIndex((c) => c.source !== undefined);
  if (first < 0 || columns.slice(first).some((c) => c.source === undefined)) return null;
  return { head: columns.slice(0, first), tail: columns.slice(first) };
}

const ITEM_ANSWERS = {
  ihot12: '0–100, 100 = no problem',
  hosAdl: '4 = no difficulty … 0 = unable, or na',
  hosSport: '4 = no difficulty … 0 = unable, or na',
  nahs: '4 = none … 0 = extreme',
} as const;

// `ihot12_01` … `ihot12_12`: the column of an item of a list instrument.
export function itemColumn(instrument: 'ihot12' | 'hosAdl' | 'hosSport' | 'nahs', index: number): string {
  return `${instrument}_${String(index + 1).padStart(2, '0')}`;
}

const FOLLOW_UP_COLUMNS: ExportColumn[] = [
  ...KEYS,
  ...IDENTIFIED_KEYS,
  col('followUpId', 'string', 'identified_only', 'Visit database id', (r) => r.follow_up_id),
  col('visitDate', 'date', 'identified_only', 'Visit date', (r) => r.visit_date),
  col('visitDay', 'integer', 'day', 'Days after surgery', (r) => r.day, { unit: 'days' }),
  col('timepoint', 'code', 'kept', 'Timepoint derived from the day (registry windows)', (r) => r.timepoint, {
    codes: {
      name: 'Timepoint',
      codes: TIMEPOINTS,
      labels: Object.fromEntries(TIMEPOINTS.map((t) => [t, TIMEPOINT_LABEL[t] ?? 'outside every window'])),
    },
  }),
  code('contactMode', CONTACT_MODE, 'How the visit took place', 'contact_mode'),
  code('snapping', SNAPPING, 'Snapping', 'snapping'),
  col('groinPain', 'number', 'kept', 'Groin pain NRS 0–10', (r) => r.groin_pain),
  col('hipFlexionStrength', 'integer', 'kept', 'Hip flexion strength, MRC 0–5', (r) => r.hip_flexion_strength),
  code('returnedToSport', RETURNED_TO_SPORT, 'Returned to sport', 'returned_to_sport'),
  col('satisfaction', 'integer', 'kept', 'Satisfaction 0–10', (r) => r.satisfaction),
  ...EXPORT_INSTRUMENTS.map((i) => {
    const score = `${i}_score`;
    return col(
      `${i}Score`,
      'number',
      'kept',
      `${INSTRUMENT_LABEL[i]} score 0–100 (null when too few items were answered)`,
      (r) => r[score] ?? null,
      { blank: 'The instrument not answered at this visit, or too few items answered for a score (rules.proms).' },
    );
  }),
  ...(['mobility', 'selfCare', 'usualActivities', 'painDiscomfort', 'anxietyDepression', 'vas'] as const).map((dim) =>
    col(
      `eq5d5l_${dim}`,
      'integer',
      'kept',
      dim === 'vas' ? 'EQ-5D-5L visual analogue scale 0–100' : `EQ-5D-5L ${dim} level 1–5`,
      (r) => r.eq5d5l?.[dim] ?? null,
    ),
  ),
  // Item by item, as answered (empty: not answered): what the scores are computed from, and what an import
  // of this file scores again.
  ...Object.entries(MHHS_ITEMS).map(([item, points]) =>
    col(`mhhs_${item}`, 'code', 'kept', `mHHS ${item} answer`, (r) => r.mhhs_items?.[item] ?? null, {
      codes: vocabularyOf(
        `mHHS ${item}`,
        Object.fromEntries(
          Object.entries(points).map(([code, p]) => [code, `${code.replace(/_/g, ' ')} (${p} points)`]),
        ),
      ),
    }),
  ),
  ...(['ihot12', 'hosAdl', 'hosSport', 'nahs'] as const).flatMap((instrument) =>
    Array.from({ length: ITEM_RULES[instrument].items }, (_, index) =>
      col(
        itemColumn(instrument, index),
        instrument === 'ihot12' ? 'number' : instrument === 'nahs' ? 'integer' : 'string',
        'kept',
        `${INSTRUMENT_LABEL[instrument]} item ${index + 1} (${ITEM_ANSWERS[instrument]})`,
        (r) => r[`${instrument}_items`]?.[index] ?? null,
      ),
    ),
  ),
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
  col('reoperationDay', 'integer', 'day', 'Days from surgery to the reoperation', (r) => day(r, r.reoperation_date), {
    unit: 'days',
  }),
  code('reoperationProcedure', REOPERATION_PROCEDURE, 'Reoperation procedure', 'reoperation_procedure'),
  col('resolvedDate', 'date', 'identified_only', 'Resolution date', (r) => r.resolved_date),
  col('resolvedDay', 'integer', 'day', 'Days from surgery to resolution', (r) => day(r, r.resolved_date), {
    unit: 'days',
  }),
  col('description', 'string', 'identified_only', 'Free-text description', (r) => r.description),
];

export const EXPORT_COLUMNS: Record<ExportDataset, ExportColumn[]> = {
  cases: CASE_COLUMNS,
  'follow-ups': FOLLOW_UP_COLUMNS,
  complications: COMPLICATION_COLUMNS,
};

// What an empty cell means in a column, for the dictionary.
export function emptyCellMeaning(column: ExportColumn): string {
  if (column.blank) return column.blank;
  if (column.type === 'boolean') return 'Not recorded (NA).';
  return 'Not recorded, or not applicable (NA).';
}

export function columnsFor(dataset: ExportDataset, identified: boolean): ExportColumn[] {
  return EXPORT_COLUMNS[dataset].filter((c) => identified || c.deidentification !== 'identified_only');
}

export function rowValues(
  columns: ExportColumn[],
  row: Record<string, any>,
  context: ExportContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column.name] = column.value(row, context) ?? null;
  return out;
}
