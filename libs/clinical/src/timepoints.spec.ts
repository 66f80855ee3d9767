import { describe, expect, it } from '@jest/globals';
import { deriveTimepoint, pickVisit, type Timepoint, timepointForDay } from './timepoints.js';

// DOMAIN.md § Follow-up visit, Timepoints (days after surgery, inclusive):
// preop −180…0 · 6w 28…69 · 3m 70…134 · 6m 135…269 · 1y 270…545 · 2y 546…912 · 5y 1643…2008; else unscheduled.
const EDGES: Array<[number, Timepoint]> = [
  [-181, 'unscheduled'],
  [-180, 'preop'],
  [0, 'preop'],
  [1, 'unscheduled'],
  [27, 'unscheduled'],
  [28, '6w'],
  [69, '6w'],
  [70, '3m'],
  [134, '3m'],
  [135, '6m'],
  [269, '6m'],
  [270, '1y'],
  [545, '1y'],
  [546, '2y'],
  [912, '2y'],
  [913, 'unscheduled'],
  [1642, 'unscheduled'],
  [1643, '5y'],
  [2008, '5y'],
  [2009, 'unscheduled'],
];

describe(timepointForDay.name, () => {
  it.each(EDGES)('puts day %i in %s', (day, expected) => {
    expect(timepointForDay(day)).toBe(expected);
  });

  it('puts each target day in its own window', () => {
    expect(timepointForDay(42)).toBe('6w');
    expect(timepointForDay(91)).toBe('3m');
    expect(timepointForDay(182)).toBe('6m');
    expect(timepointForDay(365)).toBe('1y');
    expect(timepointForDay(730)).toBe('2y');
    expect(timepointForDay(1826)).toBe('5y');
  });

  it('leaves days between 2 and 5 years unscheduled', () => {
    expect(timepointForDay(1000)).toBe('unscheduled');
    expect(timepointForDay(1461)).toBe('unscheduled');
  });

  it('leaves days far before surgery and far after 5 years unscheduled', () => {
    expect(timepointForDay(-1000)).toBe('unscheduled');
    expect(timepointForDay(5000)).toBe('unscheduled');
  });
});

describe(deriveTimepoint.name, () => {
  // The same edges with real dates: surgery on 2030-01-01 (2030 and 2031 are common years, 2032 is a leap year).
  it.each(EDGES)('derives day %i after surgery as %s', (day, expected) => {
    // Date.UTC rolls day overflow into later months, so this is the date `day` days after 2030-01-01.
    const visit = new Date(Date.UTC(2030, 0, 1 + day)).toISOString().slice(0, 10);
    expect(deriveTimepoint('2030-01-01', visit)).toBe(expected);
  });

  it('counts 29 February: a visit 28 days after 2024-01-01 is 6w', () => {
    // January has 31 days: 2024-01-01 + 28 = 2024-01-29.
    expect(deriveTimepoint('2024-01-01', '2024-01-29')).toBe('6w');
    // 2024-01-28 is day 27.
    expect(deriveTimepoint('2024-01-01', '2024-01-28')).toBe('unscheduled');
  });

  it('treats the day before surgery across a year end as preop', () => {
    expect(deriveTimepoint('2024-01-01', '2023-12-31')).toBe('preop');
  });

  it('treats the surgery day as preop and the next day as unscheduled', () => {
    expect(deriveTimepoint('2024-03-01', '2024-03-01')).toBe('preop');
    expect(deriveTimepoint('2024-03-01', '2024-03-02')).toBe('unscheduled');
  });

  it('counts 29 February inside the 6w window', () => {
    // Surgery 2024-02-01: 2024-02-29 is day 28 (6w); in a common year day 28 would be 1 March.
    expect(deriveTimepoint('2024-02-01', '2024-02-29')).toBe('6w');
    expect(deriveTimepoint('2024-02-01', '2024-02-28')).toBe('unscheduled');
    // Common year: 2025-02-01 + 28 = 2025-03-01; 2025-02-28 is day 27.
    expect(deriveTimepoint('2025-02-01', '2025-03-01')).toBe('6w');
    expect(deriveTimepoint('2025-02-01', '2025-02-28')).toBe('unscheduled');
  });

  it('finds the preop lower edge across 29 February', () => {
    // Surgery 2024-03-01: 2024-02-29 is −1, 2024-01-01 is −60, 2023-10-01 is −152, 2023-09-01 is −182,
    // so 2023-09-03 is −180 (preop) and 2023-09-02 is −181 (unscheduled).
    expect(deriveTimepoint('2024-03-01', '2023-09-03')).toBe('preop');
    expect(deriveTimepoint('2024-03-01', '2023-09-02')).toBe('unscheduled');
  });

  it('finds the 6m/1y edge one day earlier in a leap year', () => {
    // From 2024-01-01 (leap): 2024-10-01 is day 274, so 2024-09-27 is day 270 (1y), 2024-09-26 is 269 (6m).
    expect(deriveTimepoint('2024-01-01', '2024-09-26')).toBe('6m');
    expect(deriveTimepoint('2024-01-01', '2024-09-27')).toBe('1y');
    // From 2025-01-01 (common): 2025-10-01 is day 273, so 2025-09-27 is day 269 (6m), 2025-09-28 is 270 (1y).
    expect(deriveTimepoint('2025-01-01', '2025-09-27')).toBe('6m');
    expect(deriveTimepoint('2025-01-01', '2025-09-28')).toBe('1y');
  });

  it('finds the 1y/2y edge across a leap year', () => {
    // From 2024-01-01: 2025-01-01 is day 366; 2025-07-01 is 366 + 181 = 547,
    // so 2025-06-29 is day 545 (1y) and 2025-06-30 is day 546 (2y).
    expect(deriveTimepoint('2024-01-01', '2025-06-29')).toBe('1y');
    expect(deriveTimepoint('2024-01-01', '2025-06-30')).toBe('2y');
  });

  it('counts calendar days whatever the daylight-saving change between the dates', () => {
    // The EU spring change (2025-03-30) lies inside: 2025-03-10 + 21 = 2025-03-31, + 7 more = 2025-04-07 (day 28).
    expect(deriveTimepoint('2025-03-10', '2025-04-07')).toBe('6w');
    expect(deriveTimepoint('2025-03-10', '2025-04-06')).toBe('unscheduled');
  });
});

describe(pickVisit.name, () => {
  const visits = (...days: number[]) => days.map((day) => ({ day, id: `visit-day-${day}` }));

  it('picks the earlier visit on a tie around the 6w target (42): days 40 and 44 give 40', () => {
    expect(pickVisit(visits(40, 44), '6w')?.day).toBe(40);
  });

  it('picks the earlier tied visit whatever the input order', () => {
    expect(pickVisit(visits(44, 40), '6w')?.day).toBe(40);
  });

  it('picks the visit nearest the 6w target: days 41 and 45 give 41', () => {
    expect(pickVisit(visits(41, 45), '6w')?.day).toBe(41);
    expect(pickVisit(visits(45, 41), '6w')?.day).toBe(41);
  });

  it('picks a later visit when it is nearer the target', () => {
    // |43 − 42| = 1 < |38 − 42| = 4
    expect(pickVisit(visits(38, 43), '6w')?.day).toBe(43);
  });

  it('picks the visit on the target day over its neighbours', () => {
    expect(pickVisit(visits(41, 42, 43), '6w')?.day).toBe(42);
  });

  it('uses the target of each window', () => {
    // 3m target 91: 88 and 94 tie, earlier wins; 92 beats 89.
    expect(pickVisit(visits(94, 88), '3m')?.day).toBe(88);
    expect(pickVisit(visits(89, 92), '3m')?.day).toBe(92);
    // 6m target 182: 180 and 184 tie.
    expect(pickVisit(visits(184, 180), '6m')?.day).toBe(180);
    // 1y target 365: 360 (5 away) beats 371 (6 away).
    expect(pickVisit(visits(371, 360), '1y')?.day).toBe(360);
    // 2y target 730: 735 (5 away) beats 720 (10 away).
    expect(pickVisit(visits(720, 735), '2y')?.day).toBe(735);
    // 5y target 1826: 1820 and 1832 tie.
    expect(pickVisit(visits(1832, 1820), '5y')?.day).toBe(1820);
    // preop target 0: −3 beats −10.
    expect(pickVisit(visits(-10, -3), 'preop')?.day).toBe(-3);
  });

  it('returns the visit object itself, not a copy', () => {
    const list = visits(50, 42, 30);
    expect(pickVisit(list, '6w')).toBe(list[1]);
  });

  it('returns the only visit of a window', () => {
    expect(pickVisit(visits(60), '6w')?.id).toBe('visit-day-60');
  });

  it('returns undefined when there is no visit', () => {
    expect(pickVisit([], '6w')).toBeUndefined();
  });

  it('does not reorder the caller’s list', () => {
    const list = visits(44, 40, 42);
    pickVisit(list, '6w');
    expect(list.map((v) => v.day)).toEqual([44, 40, 42]);
  });
});
