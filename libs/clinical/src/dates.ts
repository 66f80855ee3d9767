// Clinical dates are calendar dates (`YYYY-MM-DD`). Differences are counted on dates, never on
// instants, so that time zones and daylight saving cannot move a follow-up into another window.
const DAY_MS = 86_400_000;

// Parses YYYY-MM-DD by character (no split, no intermediate arrays: exports call this per row).
function epochDay(date: string): number {
  const y = +date.slice(0, 4);
  const m = +date.slice(5, 7);
  const d = +date.slice(8, 10);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

// Days from `from` to `to` (positive when `to` is later).
export function daysBetween(from: string, to: string): number {
  return epochDay(to) - epochDay(from);
}

export function addDays(date: string, days: number): string {
  return new Date((epochDay(date) + days) * DAY_MS).toISOString().slice(0, 10);
}

// Completed years of age on `on` (a birthday on 29 February counts on 1 March in common years).
export function ageInYears(birthDate: string, on: string): number {
  const by = +birthDate.slice(0, 4);
  const oy = +on.slice(0, 4);
  // MM-DD compares as text: a birthday later in the year has not come yet.
  return oy - by - (on.slice(5) < birthDate.slice(5) ? 1 : 0);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

// Today's calendar date in a time zone (the registry's, from configuration).
export function todayIn(timeZone: string, now = new Date()): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  return format.format(now);
}

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

// The month and year of a calendar date in words: "March 2025".
export function monthInWords(date: string): string {
  return `${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}
