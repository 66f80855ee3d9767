// The outcomes report (GET /api/v1/reports/outcomes, OutcomesService in libs/registry) as the "My outcomes"
// table reads it: one column per group, one row per figure, every rate a percentage with its Wilson 95%
// interval, PROM change where the report has one, group keys and codes in words.
import {
  CAPSULAR_LEVEL,
  COMPLICATION_TYPE,
  HO_PROPHYLAXIS,
  POSITIONING,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  type Vocabulary,
} from '@ilr/clinical';
import type { components, paths } from '../api/schema.js';
import { codeLabel, type Option } from './labels.js';
import { INSTRUMENT_LABELS, TIMEPOINT_LABELS } from './visit-labels.js';

export type OutcomesReport = paths['/api/v1/reports/outcomes']['get']['responses'][200]['content']['application/json'];
export type OutcomesGroup = OutcomesReport['groups'][number];
export type ReportGroupBy = components['schemas']['ReportGroupBy'];

export interface Proportion {
  numerator: number;
  denominator: number;
  rate: number | null;
  lower95: number | null;
  upper95: number | null;
}

// The groupings a surgeon's own table offers ('' = all their cases together; `surgeon` would be one group).
export const GROUP_BY_OPTIONS: Option<'' | Exclude<ReportGroupBy, 'surgeon'>>[] = [
  { value: '', label: 'No grouping: all my cases' },
  { value: 'releaseLocation', label: 'Release location' },
  { value: 'impingementRepair', label: 'Impingement repair' },
  { value: 'year', label: 'Year of surgery' },
  { value: 'capsularLevel', label: 'Capsular level' },
  { value: 'technique', label: 'Release technique' },
  { value: 'positioning', label: 'Positioning' },
  { value: 'hoProphylaxis', label: 'Heterotopic ossification prophylaxis' },
];

export function isGroupBy(value: string | null): value is Exclude<ReportGroupBy, 'surgeon'> {
  return !!value && GROUP_BY_OPTIONS.some((o) => o.value === value);
}

const GROUP_VOCABULARIES: Partial<Record<ReportGroupBy, Vocabulary<string>>> = {
  releaseLocation: RELEASE_LOCATION,
  capsularLevel: CAPSULAR_LEVEL,
  technique: RELEASE_TECHNIQUE,
  positioning: POSITIONING,
  hoProphylaxis: HO_PROPHYLAXIS,
};

// A group's key in words (the key is a code, `true`/`false`, a year, or `all`).
export function groupLabel(groupBy: ReportGroupBy | null, key: string | null): string {
  if (!groupBy || key === 'all') return 'All my cases';
  if (key === null || key === '') return 'Not recorded';
  if (groupBy === 'impingementRepair') return key === 'true' ? 'Impingement repair performed' : 'No impingement repair';
  if (groupBy === 'capsularLevel' && key === 'not_capsular') return 'Not a capsular release';
  const vocabulary = GROUP_VOCABULARIES[groupBy];
  if (vocabulary && (vocabulary.codes as readonly string[]).includes(key)) return codeLabel(vocabulary, key);
  return key;
}

const oneDecimal = (value: number) => value.toFixed(1);

// A proportion in [0, 1] as a percentage with one decimal: 0.125 → "12.5%".
export function percent(rate: number): string {
  return `${oneDecimal(rate * 100)}%`;
}

// "2 of 16: 12.5% (95% CI 3.5–36.0%)"; a proportion of no cases has no rate.
export function rateCell(p: Proportion): string {
  if (p.denominator === 0 || p.rate === null) return 'No cases';
  const interval =
    p.lower95 !== null && p.upper95 !== null
      ? ` (95% CI ${oneDecimal(p.lower95 * 100)}–${oneDecimal(p.upper95 * 100)}%)`
      : '';
  return `${p.numerator} of ${p.denominator}: ${percent(p.rate)}${interval}`;
}

// A mean change in points, signed: "+12.3 points (4 paired cases)".
export function changeCell(meanChange: number | null, pairedN: number): string {
  if (meanChange === null) return 'Not enough paired scores';
  const sign = meanChange > 0 ? '+' : meanChange < 0 ? '−' : '';
  return `${sign}${oneDecimal(Math.abs(meanChange))} points (${pairedN} paired ${pairedN === 1 ? 'case' : 'cases'})`;
}

export interface OutcomesColumn {
  key: string;
  label: string;
  cases: number;
}

export interface OutcomesRow {
  id: string;
  label: string;
  // One cell per column, in column order.
  cells: string[];
}

export interface OutcomesTable {
  columns: OutcomesColumn[];
  rows: OutcomesRow[];
  consentNote: string;
}

type Timepoint = keyof OutcomesGroup['followUpCompleteness'];
type PromTimepoint = keyof NonNullable<OutcomesGroup['proms']['mhhs']>['timepoints'];
const COMPLETENESS_TIMEPOINTS: Timepoint[] = ['6w', '3m', '6m', '1y', '2y', '5y'];
const PROM_TIMEPOINTS: PromTimepoint[] = ['6w', '3m', '6m', '1y', '2y', '5y'];
const INSTRUMENTS = ['mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs'] as const;
const BROOKER_NUMERALS = ['I', 'II', 'III', 'IV'];

// What the figures count, and which cases an export would leave out.
export function consentNote(consent: OutcomesReport['consent']): string {
  const { cases, withoutConsent, byConsent, consentedOnly } = consent;
  const scope = consentedOnly
    ? `Only cases whose patients gave consent are counted (${cases}): the cases an export contains.`
    : `All ${cases} of your cases that match are counted, whatever the patient's consent.`;
  const left =
    withoutConsent === 0
      ? 'None of them comes from a patient without consent.'
      : `${withoutConsent} of them ${withoutConsent === 1 ? 'comes' : 'come'} from patients without consent (declined: ${byConsent.declined}, withdrawn: ${byConsent.withdrawn}); exports leave those out.`;
  return consentedOnly ? scope : `${scope} ${left}`;
}

export function outcomesTable(report: OutcomesReport, groupBy: ReportGroupBy | null): OutcomesTable {
  const groups = report.groups;
  const columns = groups.map((g) => ({
    key: g.key,
    label: g.surgeonLabel ?? groupLabel(groupBy, g.key),
    cases: g.cases,
  }));
  const rows: OutcomesRow[] = [];
  const row = (id: string, label: string, cell: (g: OutcomesGroup) => string) =>
    rows.push({ id, label, cells: groups.map(cell) });

  row('cases', 'Cases', (g) => String(g.cases));
  if (groups.some((g) => g.withoutConsent > 0))
    row('without-consent', 'Of these, without consent', (g) => String(g.withoutConsent));
  row('recurrence', 'Recurrent snapping', (g) => rateCell(g.recurrence));
  row('reoperation', 'Reoperation', (g) => rateCell(g.reoperation));
  row('conversion', 'Conversion to arthroplasty', (g) => rateCell(g.conversionToArthroplasty));

  // Heterotopic ossification always (it is the complication the prophylaxis targets); any other type that occurred.
  for (const type of COMPLICATION_TYPE.codes) {
    if (type === 'recurrent_snapping') continue;
    const of = (g: OutcomesGroup) => g.complications.find((c) => c.type === type);
    if (type !== 'heterotopic_ossification' && !groups.some((g) => (of(g)?.numerator ?? 0) > 0)) continue;
    row(`complication-${type}`, codeLabel(COMPLICATION_TYPE, type), (g) => {
      const c = of(g);
      return c ? rateCell(c) : 'No cases';
    });
    if (type === 'heterotopic_ossification' && groups.some((g) => (of(g)?.numerator ?? 0) > 0))
      row('brooker', 'Heterotopic ossification by Brooker grade (cases)', (g) =>
        BROOKER_NUMERALS.map(
          (numeral, i) => `${numeral}: ${g.heterotopicOssification.byBrookerGrade[String(i + 1) as '1'] ?? 0}`,
        ).join(', '),
      );
  }

  for (const timepoint of COMPLETENESS_TIMEPOINTS) {
    if (!groups.some((g) => (g.followUpCompleteness[timepoint]?.due ?? 0) > 0)) continue;
    row(`seen-${timepoint}`, `Seen at ${TIMEPOINT_LABELS[timepoint]} (of cases due)`, (g) => {
      const c = g.followUpCompleteness[timepoint];
      if (!c || c.due === 0 || c.rate === null) return 'None due';
      return `${c.seen} of ${c.due}: ${percent(c.rate)}`;
    });
  }

  for (const instrument of INSTRUMENTS) {
    for (const timepoint of PROM_TIMEPOINTS) {
      const at = (g: OutcomesGroup) => g.proms[instrument]?.timepoints[timepoint];
      if (!groups.some((g) => (at(g)?.meanChange ?? null) !== null)) continue;
      const name = INSTRUMENT_LABELS[instrument];
      const when = TIMEPOINT_LABELS[timepoint];
      row(`${instrument}-${timepoint}-change`, `${name}: change from before surgery to ${when}`, (g) => {
        const t = at(g);
        return t ? changeCell(t.meanChange, t.pairedN) : 'Not enough paired scores';
      });
      if (groups.some((g) => (at(g)?.mcid?.denominator ?? 0) > 0))
        row(`${instrument}-${timepoint}-mcid`, `${name}: MCID reached at ${when}`, (g) => {
          const mcid = at(g)?.mcid;
          return mcid ? rateCell(mcid) : 'No threshold';
        });
    }
  }

  return { columns, rows, consentNote: consentNote(report.consent) };
}
