import { SCHEDULED_TIMEPOINTS } from '@ilr/clinical';
import { TIMEPOINT_LABELS } from './visit-labels.js';

// "Follow-up overdue: 6 weeks, 3 months" for a case's overdueTimepoints (in window order); null when none.
export function overdueText(timepoints: readonly string[] | undefined): string | null {
  const known = SCHEDULED_TIMEPOINTS.filter((t) => timepoints?.includes(t));
  return known.length ? `Follow-up overdue: ${known.map((t) => TIMEPOINT_LABELS[t]).join(', ')}` : null;
}
