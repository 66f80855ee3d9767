import { describe, expect, it } from 'vitest';
import { commonQuery, reviewFiltersOf, reviewParamsOf, survivalAt, survivalCell } from './review.js';

describe('the review filters', () => {
  it('come back the same from their URL', () => {
    const filters = reviewFiltersOf(
      new URLSearchParams(
        'from=2024-01-01&to=2025-06-30&releaseLocation=capsular&impingementRepair=false&groupBy=surgeon&outcome=recurrence_1y&anonymise=true',
      ),
    );
    expect(filters).toEqual({
      from: '2024-01-01',
      to: '2025-06-30',
      releaseLocation: 'capsular',
      impingementRepair: 'false',
      groupBy: 'surgeon',
      outcome: 'recurrence_1y',
      anonymise: true,
    });
    expect(reviewFiltersOf(new URLSearchParams(reviewParamsOf(filters)))).toEqual(filters);
  });

  it('fall back to the defaults for anything unknown, and leave the defaults out of the URL', () => {
    const filters = reviewFiltersOf(new URLSearchParams('from=yesterday&releaseLocation=knee&groupBy=x&outcome=y'));
    expect(filters).toMatchObject({
      from: '',
      releaseLocation: '',
      groupBy: 'releaseLocation',
      outcome: 'complication_90d',
    });
    expect(reviewParamsOf(filters)).toEqual({});
  });

  it('ask every report for the same cases, anonymised only when asked', () => {
    const filters = reviewFiltersOf(new URLSearchParams('from=2024-01-01&groupBy=year'));
    expect(commonQuery(filters)).toEqual({ from: '2024-01-01' });
    expect(commonQuery({ ...filters, anonymise: true })).toEqual({ from: '2024-01-01', anonymise: 'true' });
  });
});

describe('survivalAt', () => {
  const curve = [
    { day: 0, atRisk: 10, events: 0, censored: 0, survival: 1, lower95: null, upper95: null },
    { day: 100, atRisk: 10, events: 1, censored: 0, survival: 0.9, lower95: 0.5, upper95: 0.98 },
    { day: 400, atRisk: 6, events: 1, censored: 2, survival: 0.75, lower95: 0.4, upper95: 0.91 },
  ];

  it('is the last step on or before the day', () => {
    expect(survivalAt(curve, 365)?.survival).toBe(0.9);
    expect(survivalAt(curve, 400)?.survival).toBe(0.75);
    expect(survivalAt(curve.slice(1), 50)).toBeNull();
  });

  it('reads as a percentage with its interval', () => {
    expect(survivalCell(survivalAt(curve, 365))).toBe('90.0% (95% CI 50.0%–98.0%)');
    expect(survivalCell(null)).toBe('100.0%');
  });
});
