import {
  CONSENT,
  FUNNEL_TAILS,
  ITEM_RULES,
  MHHS_MULTIPLIER,
  PROM_SCORING_VERSION,
  PROM_THRESHOLD_SOURCE,
  PROM_THRESHOLDS,
  TIMEPOINT_WINDOWS,
  Z95,
} from '@ilr/clinical';
import { ENDPOINT_SQL, type ExportDataset, HORIZON_OUTCOMES } from '@ilr/persistence';
import { DEFINITIONS } from '../reports/outcomes.service.js';
import { type ColumnType, EXPORT_COLUMNS, type ExportColumn } from './export-columns.js';

// The registry rules an analyst needs beside the data (DOMAIN.md), built from the constants the code
// runs on (libs/clinical, the report statements), so that the dictionary cannot drift from them.

// The export column that carries a case-facts column (`first_complication_day` → `firstComplicationDay`).
const exportNameOfFact = (fact: string): string => {
  const column = EXPORT_COLUMNS.cases.find((c) => c.source === `f.${fact}`);
  if (!column) throw new Error(`no export column carries the fact ${fact}`);
  return column.name;
};

const SCORING: Record<keyof typeof ITEM_RULES, string> = {
  mhhs: `Modified Harris Hip Score (Byrd): raw = sum of the item points (0–91); score = min(100, raw × ${MHHS_MULTIPLIER}).`,
  ihot12: 'iHOT-12: items 0–100 (100 = no problem); score = mean of the answered items.',
  hosAdl:
    'HOS-ADL (Martin 2006): items 4 (no difficulty) … 0 (unable) or na; score = sum ÷ (4 × items answered, not na) × 100.',
  hosSport: 'HOS-Sport (Martin 2006): as HOS-ADL.',
  nahs: 'NAHS: items 4 (none) … 0 (extreme); score = mean of the answered items × 25.',
};

export function registryRules() {
  return {
    timepoints: {
      rule: 'Registry rule: the timepoint of a visit is the window its day after surgery falls in (inclusive); any other day is unscheduled (counted for events and last contact, not for timepoint PROMs). Where a case has several visits in one window, the one nearest the target day is used (the earlier on a tie).',
      windowClosed:
        "A window has closed when surgery + its last day is before the export date (the cases file's windowClosed_* columns). A timepoint is overdue when its window has closed, the case has no visit in it, and the patient is alive and consenting.",
      windows: TIMEPOINT_WINDOWS.map((w) => ({ timepoint: w.code, fromDay: w.from, toDay: w.to, targetDay: w.target })),
    },
    proms: {
      scoringVersion: PROM_SCORING_VERSION,
      rule: 'Scores 0–100, higher is better, unrounded. Without the minimum of answered items there is no score (empty cell).',
      instruments: Object.entries(ITEM_RULES).map(([instrument, r]) => ({
        instrument,
        items: r.items,
        minAnswered: r.minAnswered,
        minAnsweredIsRegistryRule: r.minAnswered < r.items,
        scoring: SCORING[instrument as keyof typeof ITEM_RULES],
      })),
      notScored:
        'EQ-5D-5L is exported as given (5 levels and VAS); its index needs a national value set. Pain is the visit groinPain (NRS 0–10).',
    },
    thresholds: {
      source: PROM_THRESHOLD_SOURCE,
      rule: 'MCID reached = paired change from the same case’s preop score ≥ MCID; PASS reached = score ≥ PASS. Visits before 1y use the 1y values. NAHS has no threshold in this set.',
      items: PROM_THRESHOLDS.map((t) => ({ ...t, source: PROM_THRESHOLD_SOURCE })),
    },
    events: {
      dayZero: 'Every day is counted from the surgery date (calendar days).',
      endpoints: Object.entries(ENDPOINT_SQL).map(([endpoint, fact]) => ({ endpoint, column: exportNameOfFact(fact) })),
      recurrenceDay: 'The onset of the first recurrent_snapping complication.',
      reoperationDay: 'The first reoperation date of any complication.',
      conversionDay:
        'The reoperation date of the first conversion_to_arthroplasty complication (not its onset date): the day the arthroplasty was done.',
      lastContactDay:
        'The latest of the visit dates, the complication onset, resolution and reoperation dates, and the death date; 0 when nothing follows surgery.',
      censoring:
        'A case without the event is censored at lastContactDay (day 0 when nothing follows surgery); a case with it has its event at the endpoint day. This is how the survival report counts (Kaplan–Meier, log-rank).',
      horizons: Object.entries(HORIZON_OUTCOMES).map(([outcome, h]) => ({
        outcome,
        column: exportNameOfFact(h.event),
        horizonDay: h.horizon,
        event: `${exportNameOfFact(h.event)} ≤ ${h.horizon}`,
        evaluable: `${exportNameOfFact(h.event)} ≤ ${h.horizon} or lastContactDay ≥ ${h.horizon}`,
      })),
    },
    statistics: {
      ...DEFINITIONS,
      z: Z95,
      funnelTails: FUNNEL_TAILS,
    },
  };
}

// What an export leaves out. Reasons in the order they are applied: a case is counted once.
export const EXCLUSION_REASONS: Array<{ reason: string; description: string }> = [
  {
    reason: 'case_deleted',
    description: 'The case was deleted (entered in error). Reports leave deleted cases out too.',
  },
  ...CONSENT.codes
    .filter((code) => code !== 'given')
    .map((code) => ({
      reason: `consent_${code}`,
      description: `The patient's consent is '${code}' (${CONSENT.labels[code]}): only patients with consent 'given' are exported. Reports count these cases.`,
    })),
];

export function exclusionSummary(rows: Array<{ reason: string; cases: number }>) {
  const counted = new Map(rows.map((r) => [r.reason, r.cases]));
  const reasons = [
    ...EXCLUSION_REASONS.map((r) => ({ ...r, cases: counted.get(r.reason) ?? 0 })),
    // A consent value the code does not name yet is still counted, never dropped.
    ...rows
      .filter((r) => !EXCLUSION_REASONS.some((known) => known.reason === r.reason))
      .map((r) => ({ reason: r.reason, description: 'Not exported.', cases: r.cases })),
  ];
  return {
    rule: "Only cases of patients with consent 'given' that are not deleted are exported; each excluded case is counted once, under the first reason that applies (deleted, then consent). The follow-ups and complications of an excluded case are left out with it.",
    cases: reasons.reduce((sum, r) => sum + r.cases, 0),
    reasons,
  };
}

// Typed readers for a CSV file: R's colClasses, readr's compact col_types, pandas dtypes, and snippets.
export const R_CLASS: Record<ColumnType, string> = {
  string: 'character',
  integer: 'integer',
  number: 'numeric',
  boolean: 'logical',
  code: 'character',
  codes: 'character',
  date: 'Date',
  json: 'character',
};
export const READR: Record<ColumnType, string> = {
  string: 'c',
  integer: 'i',
  number: 'd',
  boolean: 'l',
  code: 'c',
  codes: 'c',
  date: 'D',
  json: 'c',
};
export const PANDAS: Record<ColumnType, string> = {
  string: 'string',
  integer: 'Int64',
  number: 'float64',
  boolean: 'boolean',
  code: 'string',
  codes: 'string',
  // Dates go through parse_dates (read_csv refuses a datetime dtype), not through dtype.
  date: 'datetime64[ns]',
  json: 'string',
};

const rVariable = (dataset: ExportDataset) => dataset.replace('-', '_');

export function csvReaders(dataset: ExportDataset, columns: ExportColumn[], fileName: string) {
  const colClasses = Object.fromEntries(columns.map((c) => [c.name, R_CLASS[c.type]]));
  const readrColTypes = columns.map((c) => READR[c.type]).join('');
  const pandasDtypes = Object.fromEntries(columns.map((c) => [c.name, PANDAS[c.type]]));
  const dates = columns.filter((c) => c.type === 'date').map((c) => c.name);
  const file = JSON.stringify(fileName);
  const variable = rVariable(dataset);
  const rVector = `c(${columns.map((c) => `${c.name} = "${R_CLASS[c.type]}"`).join(', ')})`;
  const pyDict = `{${columns
    .filter((c) => c.type !== 'date')
    .map((c) => `"${c.name}": "${PANDAS[c.type]}"`)
    .join(', ')}}`;
  return {
    fileName,
    colClasses,
    readrColTypes,
    pandasDtypes,
    pandasParseDates: dates,
    snippets: {
      r: `${variable} <- read.csv(${file}, colClasses = ${rVector}, na.strings = "")`,
      readr: `${variable} <- readr::read_csv(${file}, col_types = "${readrColTypes}")`,
      pandas: `${variable} = pd.read_csv(${file}, dtype=${pyDict}, keep_default_na=False, na_values=[""]${
        dates.length ? `, parse_dates=${JSON.stringify(dates)}` : ''
      })`,
    },
    notes:
      'Default read.csv already reads TRUE/FALSE as logical; colClasses also keeps columns that are empty in this file (such as early-timepoint HOS/NAHS scores) numeric, and na.strings = "" makes an empty code cell NA. The literal `none` is not an NA string in any of these readers.',
  };
}
