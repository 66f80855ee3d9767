// Words for follow-up timepoints, PROM instruments and calendar dates, shared by the complication form
// (the visit a complication was found at) and the outcomes table. libs/clinical has the codes, not these words.
import type { Timepoint } from '@ilr/clinical';

export const TIMEPOINT_LABELS: Record<Timepoint, string> = {
  preop: 'Before surgery',
  '6w': '6 weeks',
  '3m': '3 months',
  '6m': '6 months',
  '1y': '1 year',
  '2y': '2 years',
  '5y': '5 years',
  unscheduled: 'Unscheduled',
};

export const INSTRUMENT_LABELS: Record<string, string> = {
  mhhs: 'mHHS',
  ihot12: 'iHOT-12',
  hosAdl: 'HOS-ADL',
  hosSport: 'HOS-Sport',
  nahs: 'NAHS',
};

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
