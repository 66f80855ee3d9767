// Reports for chart tests, computed with libs/clinical's statistics as the API computes them.
import {
  bernoulliCusum,
  COMPLICATION_TYPE,
  funnelFlag,
  funnelLimits,
  kaplanMeier,
  type SurvivalObservation,
  wilson,
} from '@ilr/clinical';
import type { CusumReport, FunnelReport, OutcomesGroup, OutcomesReport, SurvivalReport } from '../types.js';

export const SURGEON_IDS = [
  '0b6f2d8e-1111-4c1a-9d5e-000000000001',
  '0b6f2d8e-2222-4c1a-9d5e-000000000002',
  '0b6f2d8e-3333-4c1a-9d5e-000000000003',
  '0b6f2d8e-4444-4c1a-9d5e-000000000004',
];

export const SURVIVAL_OBSERVATIONS: Record<string, SurvivalObservation[]> = {
  capsular: [
    { time: 40, event: true },
    { time: 90, event: false },
    { time: 120, event: true },
    { time: 200, event: true },
    { time: 365, event: false },
    { time: 400, event: false },
    { time: 500, event: true },
    { time: 800, event: false },
  ],
  lesser_trochanter: [
    { time: 30, event: false },
    { time: 60, event: true },
    { time: 60, event: true },
    { time: 300, event: false },
    { time: 700, event: true },
    { time: 900, event: false },
  ],
};

export function survivalReport(): SurvivalReport {
  return {
    filters: { endpoint: 'recurrence', groupBy: 'releaseLocation' },
    groups: Object.entries(SURVIVAL_OBSERVATIONS).map(([key, observations]) => ({
      key,
      cases: observations.length,
      events: observations.filter((o) => o.event).length,
      curve: kaplanMeier(observations),
    })),
  };
}

// Surgeons' (cases, events): one far above the target rate.
export const FUNNEL_COUNTS: Array<[number, number]> = [
  [40, 4],
  [25, 2],
  [30, 14],
  [12, 0],
];

export function funnelReport(withLabels = false): FunnelReport {
  const cases = FUNNEL_COUNTS.reduce((sum, [n]) => sum + n, 0);
  const events = FUNNEL_COUNTS.reduce((sum, [, e]) => sum + e, 0);
  const target = events / cases;
  return {
    filters: { outcome: 'complication_90d' },
    target,
    surgeons: FUNNEL_COUNTS.map(([n, e], i) => {
      const limits = funnelLimits(n, target);
      const position = funnelFlag(e / n, limits);
      return {
        surgeonId: SURGEON_IDS[i],
        ...(withLabels ? { surgeonLabel: `Dr Example ${i + 1}` } : {}),
        self: false,
        cases: n,
        events: e,
        rate: e / n,
        limits,
        position,
        alert: position !== 'within',
        outlier: position === 'above_998' || position === 'below_998',
      };
    }),
    curve: [5, 10, 20, 30, 40, 50].map((n) => ({ n, ...funnelLimits(n, target) })),
  };
}

// Events by case in surgery-date order: a run of events makes the CUSUM signal.
export const CUSUM_EVENTS = [0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0];

export function cusumReport(h = 2): CusumReport {
  const points = bernoulliCusum(
    CUSUM_EVENTS.map((e, i) => ({ item: i, event: e === 1 })),
    0.15,
    2,
    h,
  );
  return {
    filters: { outcome: 'recurrence_1y', surgeonId: SURGEON_IDS[0] },
    h,
    p0: 0.15,
    oddsRatio: 2,
    points: points.map((p, i) => ({
      caseId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      registryCode: `ILR-2025-${String(i + 1).padStart(4, '0')}`,
      surgeryDate: `2025-01-${String(i + 1).padStart(2, '0')}`,
      event: p.event,
      value: p.value,
      signal: p.signal,
    })),
  };
}

const empty = { numerator: 0, denominator: 0, rate: null, lower95: null, upper95: null };

function group(key: string, cases: number, seed: number): OutcomesGroup {
  const prom = (base: number) => ({
    baseline: { mean: base, n: cases },
    timepoints: {
      '6w': { mean: base + 8, n: cases - 1 },
      '3m': { mean: base + 14, n: cases - 2 },
      '1y': { mean: base + 20, n: cases - 3 },
      '2y': { mean: null, n: 0 },
    },
  });
  return {
    key,
    cases,
    complications: COMPLICATION_TYPE.codes.map((type, i) => ({
      type,
      count: i % 4 === seed ? 2 : 0,
      ...(i % 4 === seed ? wilson(2, cases) : { ...wilson(0, cases) }),
    })),
    recurrence: wilson(seed + 1, cases),
    reoperation: wilson(seed, cases),
    conversionToArthroplasty: seed === 0 ? wilson(0, cases) : empty,
    proms: { mhhs: prom(55 + seed * 3), ihot12: prom(40 + seed * 2) },
  };
}

export function outcomesReport(): OutcomesReport {
  return {
    filters: { groupBy: 'releaseLocation' },
    groups: [group('capsular', 30, 0), group('lesser_trochanter', 24, 1)],
  };
}
