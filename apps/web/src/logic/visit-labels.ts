// Words for follow-up timepoints, PROM instruments and calendar dates: one table for every page (case view,
// follow-up and complication forms, the overdue marker, the outcomes table). libs/clinical has the codes.
import { INSTRUMENT_SHORT_NAMES } from '@ilr/clinical';

// The timepoints' words are libs/clinical's, shared with the charts.
export { TIMEPOINT_LABELS } from '@ilr/clinical';

// The instruments' names are libs/clinical's (prom-wording.ts), as the questionnaires print them.
export const INSTRUMENT_LABELS = INSTRUMENT_SHORT_NAMES;

// Calendar dates in words are libs/clinical's ("14 March 2025"), shared with the questionnaire mail.
export { dateInWords } from '@ilr/clinical';

// An instant in words, in the browser's time zone.
export function instantWords(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
