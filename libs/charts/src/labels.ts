// Words for what the charts show: group keys, surgeons, outcomes and timepoints, never codes or ids.
import {
  CAPSULAR_LEVEL,
  COMPLICATION_TYPE,
  HO_PROPHYLAXIS,
  INSTRUMENT_SHORT_NAMES,
  POSITIONING,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  type ScheduledTimepoint,
  TIMEPOINT_LABELS,
  type Vocabulary,
} from '@ilr/clinical';
import type { SurgeonLabel } from './types.js';

// The timepoints' words (libs/clinical's, as the web pages show them).
export const TIMEPOINT_WORDS: Readonly<Record<ScheduledTimepoint, string>> = TIMEPOINT_LABELS;

export const INSTRUMENT_WORDS: Record<string, string> = INSTRUMENT_SHORT_NAMES;

export const OUTCOME_WORDS: Record<string, string> = {
  complication_90d: 'Complication within 90 days',
  recurrence_1y: 'Recurrence within 1 year',
  reoperation_1y: 'Reoperation within 1 year',
  recurrence: 'Recurrence',
  reoperation: 'Reoperation',
  conversion: 'Conversion to arthroplasty',
};

export function complicationWords(type: string): string {
  return (COMPLICATION_TYPE.labels as Record<string, string>)[type] ?? type;
}

// "Surgeon A", "Surgeon B", … "Surgeon Z", "Surgeon AA": by position, the same for the same report.
export function letterLabel(index: number): string {
  let letters = '';
  for (let n = index; n >= 0; n = Math.floor(n / 26) - 1) letters = String.fromCharCode(65 + (n % 26)) + letters;
  return `Surgeon ${letters}`;
}

// The default surgeon labels of a report: its own `surgeonLabel` where it gives one, else a letter by order.
export function surgeonLabels(
  items: ReadonlyArray<{ id: string | null; surgeonLabel?: string | null }>,
  override?: SurgeonLabel,
): SurgeonLabel {
  if (override) return override;
  const byId = new Map<string | null, string>();
  let index = 0;
  for (const item of items) {
    if (item.id === null || byId.has(item.id)) continue;
    byId.set(item.id, item.surgeonLabel ?? letterLabel(index));
    index += 1;
  }
  return (id) => (id === null ? 'Another surgeon' : (byId.get(id) ?? 'Another surgeon'));
}

const GROUP_VOCABULARIES: Record<string, Vocabulary<string>> = {
  releaseLocation: RELEASE_LOCATION,
  capsularLevel: CAPSULAR_LEVEL,
  technique: RELEASE_TECHNIQUE,
  positioning: POSITIONING,
  hoProphylaxis: HO_PROPHYLAXIS,
};

export type GroupLabel = (key: string) => string;

// A group's key in words (a code, `true`/`false`, a year, a surgeon id, or `all`).
export function groupLabeller(
  groups: ReadonlyArray<{ key: string; surgeonLabel?: string | null }>,
  filters: Record<string, unknown> | undefined,
  surgeonLabel?: SurgeonLabel,
): GroupLabel {
  const groupBy = typeof filters?.groupBy === 'string' ? filters.groupBy : null;
  const surgeon =
    groupBy === 'surgeon'
      ? surgeonLabels(
          groups.map((g) => ({ id: g.key, surgeonLabel: g.surgeonLabel })),
          surgeonLabel,
        )
      : null;
  return (key) => {
    if (!groupBy || key === 'all') return 'All cases';
    if (key === null || key === '' || key === 'null') return 'Not recorded';
    if (surgeon) return surgeon(key);
    if (groupBy === 'impingementRepair') return key === 'true' ? 'Impingement repair' : 'No impingement repair';
    if (groupBy === 'capsularLevel' && key === 'not_capsular') return 'Not a capsular release';
    if (groupBy === 'year') return `Operated in ${key}`;
    const vocabulary = GROUP_VOCABULARIES[groupBy];
    return vocabulary ? ((vocabulary.labels as Record<string, string>)[key] ?? key) : key;
  };
}

export const percent = (rate: number | null | undefined, digits = 1): string =>
  rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(digits)}%`;
