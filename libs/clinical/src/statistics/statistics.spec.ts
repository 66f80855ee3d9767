import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bernoulliCusum } from './cusum.js';
import { funnelFlag, funnelLimits } from './funnel.js';
import { wilson } from './proportions.js';
import { chiSquareUpperTail } from './special-functions.js';
import { kaplanMeier, logRank, type SurvivalObservation } from './survival.js';

// Reference values computed once by R (reference/make-reference.R with the survival package);
// the figures must agree to 1e-9.
const reference = JSON.parse(
  readFileSync(join(process.cwd(), 'libs/clinical/src/statistics/reference/reference.json'), 'utf8'),
);
const TOLERANCE = 1e-9;

function close(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) {
    expect({ what, actual }).toEqual({ what, actual: null });
    return;
  }
  expect(actual).not.toBeNull();
  const error = Math.abs(actual! - expected);
  if (error > TOLERANCE * Math.max(1, Math.abs(expected))) {
    throw new Error(`${what}: ${actual} differs from R's ${expected} by ${error}`);
  }
}

const observations = (time: number[], event: boolean[]): SurvivalObservation[] =>
  time.map((t, i) => ({ time: t, event: event[i] }));

describe(kaplanMeier.name, () => {
  it.each(reference.kaplanMeier.map((c: { name: string }) => [c.name, c]))(
    'matches survfit(conf.type = "log-log") for %s',
    (_name, c: any) => {
      const rows = kaplanMeier(observations(c.time, c.event));
      expect(rows.map((r) => r.day)).toEqual(c.day);
      expect(rows.map((r) => r.atRisk)).toEqual(c.atRisk);
      expect(rows.map((r) => r.events)).toEqual(c.events);
      expect(rows.map((r) => r.censored)).toEqual(c.censored);
      rows.forEach((row, i) => {
        close(row.survival, c.survival[i], `survival at day ${row.day}`);
        close(row.lower95, c.lower95[i], `lower95 at day ${row.day}`);
        close(row.upper95, c.upper95[i], `upper95 at day ${row.day}`);
      });
    },
  );

  it('gives no rows for zero cases', () => {
    expect(kaplanMeier([])).toEqual([]);
  });
});

describe(logRank.name, () => {
  it.each(reference.logRank.map((c: { name: string }) => [c.name, c]))('matches survdiff for %s', (_name, c: any) => {
    const groups = new Map<number, SurvivalObservation[]>();
    c.group.forEach((g: number, i: number) =>
      groups.set(g, [...(groups.get(g) ?? []), { time: c.time[i], event: c.event[i] }]),
    );
    const result = logRank([...groups.keys()].sort().map((g) => groups.get(g)!))!;
    expect(result.df).toBe(c.df);
    close(result.chiSquare, c.chiSquare, 'chi-square');
    close(result.pValue, c.pValue, 'p-value');
    result.observed.forEach((o, i) => close(o, c.observed[i], `observed ${i}`));
    result.expected.forEach((e, i) => close(e, c.expected[i], `expected ${i}`));
  });

  it('has no test with one group, or none with anyone in it', () => {
    expect(logRank([[{ time: 3, event: true }]])).toBeNull();
    expect(logRank([[], []])).toBeNull();
    expect(logRank([[{ time: 3, event: false }], [{ time: 4, event: false }]])).toBeNull();
  });
});

describe(wilson.name, () => {
  it.each(reference.wilson.map((c: any) => [`${c.x}/${c.n}`, c]))(
    'matches the Wilson score interval of prop.test for %s',
    (_name, c: any) => {
      const result = wilson(c.x, c.n);
      close(result.rate, c.x / c.n, 'rate');
      close(result.lower95, c.lower95, 'lower95');
      close(result.upper95, c.upper95, 'upper95');
    },
  );

  it('has no rate and no interval for an empty denominator', () => {
    expect(wilson(0, 0)).toEqual({ numerator: 0, denominator: 0, rate: null, lower95: null, upper95: null });
  });

  it('gives exact bounds of 0 for no events and 1 for all events, as prop.test does', () => {
    for (const n of [1, 7, 2839, 100003]) {
      expect(wilson(0, n).lower95).toBe(0);
      expect(wilson(n, n).upper95).toBe(1);
    }
  });
});

describe(funnelLimits.name, () => {
  it.each(reference.funnel.map((c: any) => [`n=${c.n}, θ=${c.theta}`, c]))(
    'matches the interpolated exact binomial limits for %s',
    (_name, c: any) => {
      const limits = funnelLimits(c.n, c.theta);
      close(limits.lower95, c.lower95, 'lower95');
      close(limits.upper95, c.upper95, 'upper95');
      close(limits.lower998, c.lower998, 'lower998');
      close(limits.upper998, c.upper998, 'upper998');
    },
  );

  it('flags a rate by the limits it crosses', () => {
    const limits = { lower95: 0.02, upper95: 0.1, lower998: 0.01, upper998: 0.15 };
    expect(funnelFlag(0.2, limits)).toBe('above_998');
    expect(funnelFlag(0.12, limits)).toBe('above_95');
    expect(funnelFlag(0.1, limits)).toBe('within');
    expect(funnelFlag(0.015, limits)).toBe('below_95');
    expect(funnelFlag(0.005, limits)).toBe('below_998');
  });
});

describe(chiSquareUpperTail.name, () => {
  it.each(reference.chiSquare.map((c: any) => [`x=${c.x}, df=${c.df}`, c]))(
    'matches pchisq(lower.tail = FALSE) for %s',
    (_name, c: any) => {
      close(chiSquareUpperTail(c.x, c.df), c.p, 'p');
    },
  );
});

describe(bernoulliCusum.name, () => {
  it.each(reference.cusum.map((c: any, i: number) => [`series ${i + 1}`, c]))(
    'matches an independent computation for %s',
    (_name, c: any) => {
      const points = bernoulliCusum(
        c.y.map((y: number, i: number) => ({ item: i, event: y === 1 })),
        c.p0,
        c.oddsRatio,
        c.h,
      );
      points.forEach((p, i) => close(p.value, c.value[i], `value ${i}`));
      expect(points.map((p) => p.signal)).toEqual(c.signal);
    },
  );

  it('restarts at zero after a signal', () => {
    const points = bernoulliCusum(
      [true, true, true, false].map((event, item) => ({ item, event })),
      0.5,
      4,
      0.9,
    );
    // W(event) = ln 4 − ln(0.5 + 2) = ln 1.6 ≈ 0.470; X: 0.470, 0.940 (signal, restart), 0.470, then W(no event) = −ln 2.5 → 0.
    expect(points.map((p) => p.signal)).toEqual([false, true, false, false]);
    expect(points[2].value).toBeCloseTo(Math.log(1.6), 12);
    expect(points[3].value).toBe(0);
  });
});
