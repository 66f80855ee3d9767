import { SCHEDULED_TIMEPOINTS, type ScheduledTimepoint } from '@ilr/clinical';

// The scheduled follow-up timepoints in words (DOMAIN.md § Follow-up visit).
export const TIMEPOINT_WORDS: Record<ScheduledTimepoint, string> = {
  preop: 'Preoperative',
  '6w': '6 weeks',
  '3m': '3 months',
  '6m': '6 months',
  '1y': '1 year',
  '2y': '2 years',
  '5y': '5 years',
};

// "Follow-up overdue: 6 weeks, 3 months" for a case's overdueTimepoints (in window order); null when none.
export function overdueText(timepoints: readonly string[] | undefined): string | null {
  const known = SCHEDULED_TIMEPOINTS.filter((t) => timepoints?.includes(t));
  return known.length ? `Follow-up overdue: ${known.map((t) => TIMEPOINT_WORDS[t]).join(', ')}` : null;
}
