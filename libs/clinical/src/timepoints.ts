import { daysBetween } from './dates.js';

// Follow-up windows (DOMAIN.md § Follow-up visit, a registry rule): days after surgery, inclusive,
// with the target day used to pick one visit when a window holds several.
export const TIMEPOINT_WINDOWS = [
  { code: 'preop', from: -180, to: 0, target: 0 },
  { code: '6w', from: 28, to: 69, target: 42 },
  { code: '3m', from: 70, to: 134, target: 91 },
  { code: '6m', from: 135, to: 269, target: 182 },
  { code: '1y', from: 270, to: 545, target: 365 },
  { code: '2y', from: 546, to: 912, target: 730 },
  { code: '5y', from: 1643, to: 2008, target: 1826 },
] as const;

export type ScheduledTimepoint = (typeof TIMEPOINT_WINDOWS)[number]['code'];
export type Timepoint = ScheduledTimepoint | 'unscheduled';
export const TIMEPOINTS: readonly Timepoint[] = [...TIMEPOINT_WINDOWS.map((w) => w.code), 'unscheduled'];
// The timepoints in words, for every page, chart and questionnaire that names one.
export const TIMEPOINT_LABELS: Readonly<Record<Timepoint, string>> = {
  preop: 'Preoperative',
  '6w': '6 weeks',
  '3m': '3 months',
  '6m': '6 months',
  '1y': '1 year',
  '2y': '2 years',
  '5y': '5 years',
  unscheduled: 'Unscheduled',
};
export const SCHEDULED_TIMEPOINTS: readonly ScheduledTimepoint[] = TIMEPOINT_WINDOWS.map((w) => w.code);

export function timepointForDay(day: number): Timepoint {
  return TIMEPOINT_WINDOWS.find((w) => day >= w.from && day <= w.to)?.code ?? 'unscheduled';
}

// The timepoint of a visit, from calendar days after surgery.
export function deriveTimepoint(surgeryDate: string, visitDate: string): Timepoint {
  return timepointForDay(daysBetween(surgeryDate, visitDate));
}

export function timepointWindow(code: ScheduledTimepoint) {
  return TIMEPOINT_WINDOWS.find((w) => w.code === code)!;
}

// Of several visits in one window, reports use the one nearest the target day, the earlier on a tie.
export function pickVisit<T extends { day: number }>(visits: T[], code: ScheduledTimepoint): T | undefined {
  const { target } = timepointWindow(code);
  return [...visits].sort((a, b) => Math.abs(a.day - target) - Math.abs(b.day - target) || a.day - b.day)[0];
}
