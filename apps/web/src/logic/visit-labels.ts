// Words for follow-up timepoints, PROM instruments and calendar dates: one table for every page (case view,
// follow-up and complication forms, the overdue marker, the outcomes table). libs/clinical has the codes.
import { INSTRUMENT_SHORT_NAMES } from '@ilr/clinical';

// The timepoints' words are libs/clinical's, shared with the charts.
export { TIMEPOINT_LABELS } from '@ilr/clinical';

// The instruments' names are libs/clinical's (prom-wording.ts), as the questionnaires print them.
export const INSTRUMENT_LABELS = INSTRUMENT_SHORT_NAMES;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

// A calendar date (YYYY-MM-DD) in words: "14 March 2025". Parsed by hand: no time zone can shift it.
export function dateInWords(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  return `${Number(match[3])} ${MONTHS[Number(match[2]) - 1]} ${match[1]}`;
}

// An instant in words, in the browser's time zone.
export function instantWords(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
