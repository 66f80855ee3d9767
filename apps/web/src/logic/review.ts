// The quality-review dashboard's logic: its filters (kept in the URL, so a view can be shared, bookmarked and
// reloaded the same), the report requests they make, and the reports' figures as table rows in words.
import { RELEASE_LOCATION } from '@ilr/clinical';
import type { components, paths } from '../api/schema.js';
import { codeLabel, type Option } from './labels.js';
import { percent } from './outcomes-table.js';

type Json<P extends keyof paths> = P extends keyof paths
  ? paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } }
    ? T
    : never
  : never;

export type SurvivalReport = Json<'/api/v1/reports/survival'>;
export type FunnelReport = Json<'/api/v1/reports/funnel'>;
export type CusumReport = Json<'/api/v1/reports/cusum'>;
export type ReviewGroupBy = components['schemas']['ReportGroupBy'];
export type FunnelOutcome = components['schemas']['FunnelOutcome'];
export type SurvivalEndpoint = components['schemas']['SurvivalEndpoint'];

export interface ReviewFilters {
  from: string;
  to: string;
  releaseLocation: string;
  impingementRepair: '' | 'true' | 'false';
  groupBy: ReviewGroupBy;
  outcome: FunnelOutcome;
  anonymise: boolean;
}

export const GROUP_BY_CHOICES: Option<ReviewGroupBy>[] = [
  { value: 'releaseLocation', label: 'Release location' },
  { value: 'impingementRepair', label: 'Impingement repair' },
  { value: 'surgeon', label: 'Surgeon' },
  { value: 'year', label: 'Year of surgery' },
  { value: 'capsularLevel', label: 'Capsular level' },
  { value: 'technique', label: 'Release technique' },
  { value: 'positioning', label: 'Positioning' },
  { value: 'hoProphylaxis', label: 'Heterotopic ossification prophylaxis' },
];

export const OUTCOME_CHOICES: Option<FunnelOutcome>[] = [
  { value: 'complication_90d', label: 'Complication within 90 days' },
  { value: 'recurrence_1y', label: 'Recurrence within 1 year' },
  { value: 'reoperation_1y', label: 'Reoperation within 1 year' },
];

export const ENDPOINTS: Option<SurvivalEndpoint>[] = [
  { value: 'recurrence', label: 'Free of recurrence' },
  { value: 'reoperation', label: 'Free of reoperation' },
  { value: 'conversion', label: 'Free of conversion to arthroplasty' },
];

export const RELEASE_LOCATION_CHOICES: Option[] = RELEASE_LOCATION.codes.map((code) => ({
  value: code,
  label: codeLabel(RELEASE_LOCATION, code),
}));

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const oneOf = <T extends string>(choices: Option<T>[], value: string | null, fallback: T): T =>
  choices.find((c) => c.value === value)?.value ?? fallback;

// The URL's search params as filters; anything unknown falls back to the default.
export function reviewFiltersOf(params: URLSearchParams): ReviewFilters {
  const date = (name: string) => (DATE.test(params.get(name) ?? '') ? params.get(name)! : '');
  const repair = params.get('impingementRepair');
  const location = params.get('releaseLocation') ?? '';
  return {
    from: date('from'),
    to: date('to'),
    releaseLocation: (RELEASE_LOCATION.codes as readonly string[]).includes(location) ? location : '',
    impingementRepair: repair === 'true' || repair === 'false' ? repair : '',
    groupBy: oneOf(GROUP_BY_CHOICES, params.get('groupBy'), 'releaseLocation'),
    outcome: oneOf(OUTCOME_CHOICES, params.get('outcome'), 'complication_90d'),
    anonymise: params.get('anonymise') === 'true',
  };
}

// The filters as the URL's search params (defaults left out, so the plain dashboard has a plain URL).
export function reviewParamsOf(filters: ReviewFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (filters.from) out.from = filters.from;
  if (filters.to) out.to = filters.to;
  if (filters.releaseLocation) out.releaseLocation = filters.releaseLocation;
  if (filters.impingementRepair) out.impingementRepair = filters.impingementRepair;
  if (filters.groupBy !== 'releaseLocation') out.groupBy = filters.groupBy;
  if (filters.outcome !== 'complication_90d') out.outcome = filters.outcome;
  if (filters.anonymise) out.anonymise = 'true';
  return out;
}

// The query every report of the dashboard shares (dates, release location, impingement repair, anonymise).
export function commonQuery(filters: ReviewFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (filters.from) out.from = filters.from;
  if (filters.to) out.to = filters.to;
  if (filters.releaseLocation) out.releaseLocation = filters.releaseLocation;
  if (filters.impingementRepair) out.impingementRepair = filters.impingementRepair;
  if (filters.anonymise) out.anonymise = 'true';
  return out;
}

// The Kaplan–Meier estimate at `day`: the last step on or before it (1 before the first event).
export function survivalAt(curve: SurvivalReport['groups'][number]['curve'], day: number) {
  let point: (typeof curve)[number] | undefined;
  for (const p of curve) if (p.day <= day) point = p;
  return point ?? null;
}

export function survivalCell(point: ReturnType<typeof survivalAt>): string {
  if (!point) return '100.0%';
  const band =
    point.lower95 !== null && point.upper95 !== null
      ? ` (95% CI ${percent(point.lower95)}–${percent(point.upper95)})`
      : '';
  return `${percent(point.survival)}${band}`;
}

// How far a surgeon's rate lies from the target, in words.
export const POSITION_WORDS: Record<FunnelReport['surgeons'][number]['position'], string> = {
  above_998: 'Above the 99.8% limit',
  above_95: 'Above the 95% limit',
  within: 'Within the limits',
  below_95: 'Below the 95% limit',
  below_998: 'Below the 99.8% limit',
};

export function pValueWords(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}
