import { describe, expect, it } from '@jest/globals';
import { addDays, ageInYears, daysBetween, todayIn } from './dates.js';

describe(daysBetween.name, () => {
  it('is zero for the same date', () => {
    expect(daysBetween('2025-06-10', '2025-06-10')).toBe(0);
  });

  it('counts across the end of a month', () => {
    expect(daysBetween('2025-01-31', '2025-02-01')).toBe(1);
    expect(daysBetween('2025-04-30', '2025-05-01')).toBe(1);
    // 10 January to 10 February: the 31 days of January.
    expect(daysBetween('2025-01-10', '2025-02-10')).toBe(31);
    // 10 April to 10 May: the 30 days of April.
    expect(daysBetween('2025-04-10', '2025-05-10')).toBe(30);
  });

  it('counts across the end of a year', () => {
    expect(daysBetween('2025-12-31', '2026-01-01')).toBe(1);
    expect(daysBetween('2025-12-25', '2026-01-05')).toBe(11);
  });

  it('counts 29 February in a leap year', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2024-02-28', '2024-02-29')).toBe(1);
    expect(daysBetween('2024-02-29', '2024-03-01')).toBe(1);
  });

  it('has no 29 February in a common year', () => {
    expect(daysBetween('2025-02-28', '2025-03-01')).toBe(1);
  });

  it('follows the century rules for leap years', () => {
    // 2000 is divisible by 400: a leap year.
    expect(daysBetween('2000-02-28', '2000-03-01')).toBe(2);
    // 2100 is divisible by 100 but not by 400: a common year.
    expect(daysBetween('2100-02-28', '2100-03-01')).toBe(1);
  });

  it('counts whole years as 365 or 366 days', () => {
    expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    // 2023-06-01 to 2025-06-01 spans 29 February 2024: 365 + 366.
    expect(daysBetween('2023-06-01', '2025-06-01')).toBe(731);
  });

  it('is negative when the second date is earlier', () => {
    expect(daysBetween('2024-03-01', '2024-02-28')).toBe(-2);
    expect(daysBetween('2026-01-01', '2025-12-31')).toBe(-1);
    expect(daysBetween('2025-02-10', '2025-01-10')).toBe(-31);
  });

  it('ignores daylight saving changes (calendar dates, not instants)', () => {
    // Europe and the US change clocks on these weekends in 2026; a day is still a day.
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2);
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
  });

  it('gives whole numbers that map follow-up days onto timepoint windows', () => {
    // Surgery on 2025-01-01; the 6-week target day 42 is 2025-02-12 (30 days left in January, then 12).
    expect(daysBetween('2025-01-01', '2025-02-12')).toBe(42);
    // The 1-year target day 365 is 2026-01-01 (2025 is a common year).
    expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
  });
});

describe(addDays.name, () => {
  it('returns the same date for zero days', () => {
    expect(addDays('2025-06-10', 0)).toBe('2025-06-10');
  });

  it('moves into the next month', () => {
    expect(addDays('2025-01-31', 1)).toBe('2025-02-01');
    expect(addDays('2025-04-30', 1)).toBe('2025-05-01');
  });

  it('moves into the next year', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });

  it('lands on 29 February in a leap year only', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
  });

  it('subtracts with a negative number of days', () => {
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
  });

  it('adds many days across a leap year', () => {
    // Timepoint targets from a surgery on 2025-01-01.
    expect(addDays('2025-01-01', 42)).toBe('2025-02-12');
    expect(addDays('2025-01-01', 365)).toBe('2026-01-01');
    // 2024 is a leap year: 365 days after 2024-01-01 is still in 2024.
    expect(addDays('2024-01-01', 365)).toBe('2024-12-31');
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01');
  });

  it('is undone by daysBetween', () => {
    for (const days of [-400, -1, 0, 1, 28, 69, 545, 2008]) {
      expect(daysBetween('2024-02-29', addDays('2024-02-29', days))).toBe(days);
    }
  });
});

describe(ageInYears.name, () => {
  it('counts the year on the birthday', () => {
    expect(ageInYears('1990-05-15', '2020-05-15')).toBe(30);
  });

  it('does not count the year on the day before the birthday', () => {
    expect(ageInYears('1990-05-15', '2020-05-14')).toBe(29);
  });

  it('does not count the year in an earlier month', () => {
    expect(ageInYears('1990-05-15', '2020-04-30')).toBe(29);
  });

  it('counts the year in a later month even on an earlier day of the month', () => {
    expect(ageInYears('1990-05-15', '2020-06-01')).toBe(30);
  });

  it('handles a birthday on the last day of the year', () => {
    expect(ageInYears('1990-12-31', '1991-12-30')).toBe(0);
    expect(ageInYears('1990-12-31', '1991-12-31')).toBe(1);
  });

  it('is zero on the day of birth', () => {
    expect(ageInYears('2010-03-03', '2010-03-03')).toBe(0);
  });

  it('counts a 29 February birthday on 1 March in common years', () => {
    expect(ageInYears('2004-02-29', '2005-02-28')).toBe(0);
    expect(ageInYears('2004-02-29', '2005-03-01')).toBe(1);
    expect(ageInYears('2004-02-29', '2007-02-28')).toBe(2);
    expect(ageInYears('2004-02-29', '2007-03-01')).toBe(3);
  });

  it('counts a 29 February birthday on 29 February in leap years', () => {
    expect(ageInYears('2004-02-29', '2008-02-28')).toBe(3);
    expect(ageInYears('2004-02-29', '2008-02-29')).toBe(4);
  });

  it('counts the age-at-surgery edges of 10 and 100 years', () => {
    expect(ageInYears('2010-06-15', '2020-06-15')).toBe(10);
    expect(ageInYears('2010-06-16', '2020-06-15')).toBe(9);
    expect(ageInYears('1919-06-16', '2020-06-15')).toBe(100);
    expect(ageInYears('1919-06-15', '2020-06-15')).toBe(101);
  });
});

describe(todayIn.name, () => {
  it('gives the calendar date in the time zone, not in UTC', () => {
    // 23:30 UTC on 1 January is 12:30 on 2 January in Auckland (NZDT, UTC+13).
    const now = new Date('2026-01-01T23:30:00Z');
    expect(todayIn('UTC', now)).toBe('2026-01-01');
    expect(todayIn('Pacific/Auckland', now)).toBe('2026-01-02');
  });

  it('gives an earlier date west of UTC', () => {
    // 05:00 UTC on 1 January is 21:00 on 31 December in Los Angeles (PST, UTC-8).
    const now = new Date('2026-01-01T05:00:00Z');
    expect(todayIn('UTC', now)).toBe('2026-01-01');
    expect(todayIn('America/Los_Angeles', now)).toBe('2025-12-31');
  });

  it('follows daylight saving time in the time zone', () => {
    // In July Paris is on summer time (CEST, UTC+2): 22:30 UTC is 00:30 the next day.
    const now = new Date('2026-07-15T22:30:00Z');
    expect(todayIn('Europe/Paris', now)).toBe('2026-07-16');
    expect(todayIn('UTC', now)).toBe('2026-07-15');
    // In January Paris is UTC+1: 22:30 UTC is 23:30 the same day.
    expect(todayIn('Europe/Paris', new Date('2026-01-15T22:30:00Z'))).toBe('2026-01-15');
  });

  it('formats the date as YYYY-MM-DD with zero padding', () => {
    expect(todayIn('UTC', new Date('2026-03-05T12:00:00Z'))).toBe('2026-03-05');
  });

  it('defaults to the current instant', () => {
    const before = new Date().toISOString().slice(0, 10);
    const today = todayIn('UTC');
    const after = new Date().toISOString().slice(0, 10);
    expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect([before, after]).toContain(today);
  });
});
