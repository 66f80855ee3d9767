import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// API.md § Reports over real HTTP, on a small cohort built through the API. Every figure is checked
// against numbers worked out by hand from the cohort below (DOMAIN.md § Outcome statistics), never
// against the application's own statistics code.

type Body = Record<string, any>;
type Row = Record<string, string>;

// --- Plain arithmetic --------------------------------------------------------------------------

const Z = 1.959963984540054;
const DAY_MS = 86_400_000;
const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
// The registry's time zone is UTC in tests: "today" is the UTC calendar date.
const TODAY = new Date().toISOString().slice(0, 10);

const close = (x: number | null) => (x === null ? null : expect.closeTo(x, 9));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : null);

// Wilson score interval, straight from the formula.
function wilson(x: number, n: number): { rate: number; lower: number; upper: number } {
  const p = x / n;
  const z2 = Z * Z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { rate: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}
// A proportion as the reports give it: numerator, denominator, rate and its Wilson 95% interval.
function proportion(numerator: number, denominator: number): Body {
  if (denominator === 0) return { numerator, denominator, rate: null, lower95: null, upper95: null };
  const w = wilson(numerator, denominator);
  return { numerator, denominator, rate: close(w.rate), lower95: close(w.lower), upper95: close(w.upper) };
}

// Kaplan–Meier log-log interval: exp(−exp(log(−log S) ± z·σ/|log S|)), σ² = Σ d/(n(n−d)).
function logLogInterval(s: number, greenwood: number): { lower: number | null; upper: number | null } {
  if (s <= 0 || s >= 1) return { lower: null, upper: null };
  const centre = Math.log(-Math.log(s));
  const spread = (Z * Math.sqrt(greenwood)) / Math.abs(Math.log(s));
  return { lower: Math.exp(-Math.exp(centre + spread)), upper: Math.exp(-Math.exp(centre - spread)) };
}

// erf by its Taylor series (ample precision for |x| < 3); P(χ²₁ ≥ c) = erfc(√(c/2)).
function erf(x: number): number {
  let total = 0;
  let power = x;
  let factorial = 1;
  for (let n = 0; n < 60; n++) {
    if (n > 0) {
      power *= x * x;
      factorial *= n;
    }
    total += ((n % 2 === 0 ? 1 : -1) * power) / (factorial * (2 * n + 1));
  }
  return (2 / Math.sqrt(Math.PI)) * total;
}
const chiSquare1Tail = (c: number) => 1 - erf(Math.sqrt(c / 2));

// Funnel limit (DOMAIN.md, Spiegelhalter 2005): r = smallest count with P(X ≤ r) ≥ p, X ~ Bin(n, θ);
// α = (P(X ≤ r) − p) / (P(X ≤ r) − P(X ≤ r − 1)); limit = (r − α)/n. Rates are proportions in [0, 1]
// (API.md), so an r = 0 limit that the formula puts below 0 is 0.
function binomialCoefficient(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}
function funnelLimit(n: number, theta: number, p: number): number {
  const cdf: number[] = [];
  let running = 0;
  for (let k = 0; k <= n; k++) {
    running += binomialCoefficient(n, k) * theta ** k * (1 - theta) ** (n - k);
    cdf.push(running);
  }
  let r = 0;
  while (r < n && cdf[r] < p) r++;
  const below = r === 0 ? 0 : cdf[r - 1];
  const alpha = (cdf[r] - p) / (cdf[r] - below);
  return Math.min(1, Math.max(0, (r - alpha) / n));
}
const funnelLimits = (n: number, theta: number) => ({
  lower95: funnelLimit(n, theta, 0.025),
  upper95: funnelLimit(n, theta, 0.975),
  lower998: funnelLimit(n, theta, 0.001),
  upper998: funnelLimit(n, theta, 0.999),
});

// --- PROM answers chosen so that the scores are easy to compute (DOMAIN.md § PROMs) -------------

const MHHS_BEST = {
  pain: 'none',
  limp: 'none',
  support: 'none',
  distance: 'unlimited',
  stairs: 'normally_without_railing',
  shoesSocks: 'with_ease',
  sitting: 'ordinary_chair_one_hour',
  publicTransport: 'able',
};
const MHHS: Record<number, Body> = {
  // 44 + 11 + 11 + 11 + 4 + 4 + 5 + 1 = 91 → min(100, 100.1) = 100
  91: MHHS_BEST,
  // 40 + 8 + 7 + 11 + 4 + 4 + 5 + 1 = 80 → 88
  80: { ...MHHS_BEST, pain: 'slight', limp: 'slight', support: 'cane_long_walks' },
  // 30 + 8 + 11 + 11 + 4 + 2 + 3 + 1 = 70 → 77
  70: { ...MHHS_BEST, pain: 'mild', limp: 'slight', shoesSocks: 'with_difficulty', sitting: 'high_chair_half_hour' },
  // 20 + 8 + 11 + 11 + 2 + 2 + 5 + 1 = 60 → 66
  60: {
    ...MHHS_BEST,
    pain: 'moderate',
    limp: 'slight',
    stairs: 'normally_with_railing',
    shoesSocks: 'with_difficulty',
  },
  // 20 + 5 + 7 + 8 + 4 + 2 + 3 + 1 = 50 → 55
  50: {
    ...MHHS_BEST,
    pain: 'moderate',
    limp: 'moderate',
    support: 'cane_long_walks',
    distance: 'six_blocks',
    shoesSocks: 'with_difficulty',
    sitting: 'high_chair_half_hour',
  },
};
const m = (raw: number) => Math.min(100, raw * 1.1);
// iHOT-12: twelve equal items score that value.
const ihot = (value: number) => new Array<number>(12).fill(value);
// 10 of 12 answered: (100 + 60 + 8 × 80) / 10 = 80.
const IHOT_80_OF_10 = [100, 60, 80, 80, 80, 80, 80, 80, 80, 80, null, null];

// --- The cohort --------------------------------------------------------------------------------

interface VisitSpec {
  day: number;
  mhhs?: number;
  ihot?: Array<number | null>;
  expectedIhot?: number;
  deleted?: boolean;
}
interface ComplicationSpec {
  type: string;
  onset: number;
  sinkGrade: number;
  resolved?: number;
  brookerGrade?: number;
  recurrenceCause?: string;
  reoperation?: { day: number; procedure: string };
  deleted?: boolean;
}
interface CaseSpec {
  name: string;
  surgeon: 'A' | 'B';
  surgeryDate: string;
  location: 'capsular' | 'lesser_trochanter';
  repair: boolean;
  prophylaxis: 'nsaid' | 'none';
  visits: VisitSpec[];
  complications: ComplicationSpec[];
  deceasedDay?: number;
  consent?: string;
  deleted?: boolean;
}

// In creation order (so registry codes follow this order, not the surgery dates). Days are after surgery.
// Last contact (latest visit / complication onset, resolution, reoperation / death; 0 if nothing follows surgery) in brackets.
const COHORT: CaseSpec[] = [
  // [430] two 1y visits, days 300 and 430: both 65 days from 365 → the earlier (300) counts.
  {
    name: 'A3',
    surgeon: 'A',
    surgeryDate: '2023-01-10',
    location: 'lesser_trochanter',
    repair: true,
    prophylaxis: 'nsaid',
    visits: [
      { day: 0, mhhs: 60, ihot: ihot(50) },
      { day: 300, mhhs: 80, ihot: ihot(70) },
      { day: 430, mhhs: 91, ihot: ihot(90) },
    ],
    complications: [{ type: 'persistent_groin_pain', onset: 50, resolved: 200, sinkGrade: 2 }],
  },
  // [600] two 1y visits, days 280 and 360 → 360 counts (nearest 365); recurrence on day 400 (after 1 year).
  {
    name: 'B1',
    surgeon: 'B',
    surgeryDate: '2022-04-12',
    location: 'capsular',
    repair: true,
    prophylaxis: 'nsaid',
    visits: [
      { day: -20, mhhs: 60, ihot: ihot(40) },
      { day: 280, mhhs: 70, ihot: ihot(55) },
      { day: 360, mhhs: 91, ihot: IHOT_80_OF_10, expectedIhot: 80 },
      { day: 600 },
    ],
    complications: [{ type: 'recurrent_snapping', recurrenceCause: 'bifid_tendon', onset: 400, sinkGrade: 2 }],
  },
  // [730]
  {
    name: 'A1',
    surgeon: 'A',
    surgeryDate: '2022-03-01',
    location: 'capsular',
    repair: true,
    prophylaxis: 'nsaid',
    visits: [
      { day: -10, mhhs: 60, ihot: ihot(40) },
      { day: 42 },
      { day: 365, mhhs: 80, ihot: ihot(75) },
      { day: 730, mhhs: 91 },
    ],
    complications: [{ type: 'lfcn_neuropraxia', onset: 5, resolved: 60, sinkGrade: 1 }],
  },
  // [365] no preop visit: its 1y scores are unpaired.
  {
    name: 'A5',
    surgeon: 'A',
    surgeryDate: '2023-09-20',
    location: 'capsular',
    repair: false,
    prophylaxis: 'none',
    visits: [{ day: 365, mhhs: 60, ihot: ihot(45) }],
    complications: [{ type: 'recurrent_snapping', recurrenceCause: 'unknown', onset: 30, sinkGrade: 2 }],
  },
  // [365] exactly the 1y horizon. Consent withdrawn: quality reports still count the case (DOMAIN.md § Patient).
  {
    name: 'B2',
    surgeon: 'B',
    surgeryDate: '2022-11-03',
    location: 'capsular',
    repair: false,
    prophylaxis: 'nsaid',
    consent: 'withdrawn',
    visits: [
      { day: -1, mhhs: 80, ihot: ihot(70) },
      { day: 365, mhhs: 80, ihot: ihot(70) },
    ],
    complications: [{ type: 'superficial_infection', onset: 12, resolved: 30, sinkGrade: 2 }],
  },
  // [400] same surgery date as A3, created after it. A deep infection on day 20 was entered, then deleted.
  {
    name: 'A4',
    surgeon: 'A',
    surgeryDate: '2023-01-10',
    location: 'capsular',
    repair: false,
    prophylaxis: 'nsaid',
    visits: [{ day: -5, mhhs: 50, ihot: ihot(20) }, { day: 45 }, { day: 400, mhhs: 70, ihot: ihot(60) }],
    complications: [
      {
        type: 'recurrent_snapping',
        recurrenceCause: 'incomplete_release',
        onset: 200,
        sinkGrade: 3,
        reoperation: { day: 250, procedure: 'revision_release' },
      },
      {
        type: 'deep_infection',
        onset: 20,
        sinkGrade: 3,
        reoperation: { day: 25, procedure: 'washout' },
        deleted: true,
      },
    ],
  },
  // [420]
  {
    name: 'B3',
    surgeon: 'B',
    surgeryDate: '2023-03-22',
    location: 'lesser_trochanter',
    repair: true,
    prophylaxis: 'none',
    visits: [
      { day: -15, mhhs: 50, ihot: ihot(30) },
      { day: 365, mhhs: 60, ihot: ihot(40) },
    ],
    complications: [
      {
        type: 'heterotopic_ossification',
        brookerGrade: 2,
        onset: 95,
        sinkGrade: 3,
        reoperation: { day: 420, procedure: 'ho_excision' },
      },
    ],
  },
  // [450, the HO's resolution] two HO records, grades 1 then 3: counted once, at grade 3.
  {
    name: 'A2',
    surgeon: 'A',
    surgeryDate: '2022-06-15',
    location: 'capsular',
    repair: true,
    prophylaxis: 'nsaid',
    visits: [{ day: -30, mhhs: 50, ihot: ihot(30) }, { day: 90 }, { day: 380, mhhs: 70, ihot: ihot(50) }],
    complications: [
      { type: 'hip_flexor_weakness', onset: 14, resolved: 45, sinkGrade: 1 },
      { type: 'heterotopic_ossification', brookerGrade: 1, onset: 120, sinkGrade: 1 },
      { type: 'heterotopic_ossification', brookerGrade: 3, onset: 300, resolved: 450, sinkGrade: 2 },
    ],
  },
  // [410, an onset after the last visit] mHHS only, no preop.
  {
    name: 'B4',
    surgeon: 'B',
    surgeryDate: '2023-07-07',
    location: 'lesser_trochanter',
    repair: false,
    prophylaxis: 'none',
    visits: [{ day: 100 }, { day: 400, mhhs: 80 }],
    complications: [
      { type: 'heterotopic_ossification', brookerGrade: 4, onset: 60, sinkGrade: 2 },
      { type: 'hip_flexor_weakness', onset: 410, sinkGrade: 1 },
    ],
  },
  // [0] only a preop visit (a 1y visit was entered, then deleted): nothing follows surgery.
  {
    name: 'A6',
    surgeon: 'A',
    surgeryDate: '2024-02-05',
    location: 'lesser_trochanter',
    repair: false,
    prophylaxis: 'none',
    visits: [
      { day: -5, mhhs: 70, ihot: ihot(60) },
      { day: 400, mhhs: 91, ihot: ihot(100), deleted: true },
    ],
    complications: [],
  },
  // [520]
  {
    name: 'B5',
    surgeon: 'B',
    surgeryDate: '2023-12-01',
    location: 'lesser_trochanter',
    repair: true,
    prophylaxis: 'none',
    visits: [
      { day: -7, mhhs: 60, ihot: ihot(40) },
      { day: 365, mhhs: 50, ihot: ihot(35) },
    ],
    complications: [
      {
        type: 'conversion_to_arthroplasty',
        onset: 500,
        sinkGrade: 4,
        reoperation: { day: 520, procedure: 'total_hip_arthroplasty' },
      },
    ],
  },
  // [364] died on day 364, a day short of the 1y horizon.
  {
    name: 'B6',
    surgeon: 'B',
    surgeryDate: '2024-03-18',
    location: 'lesser_trochanter',
    repair: false,
    prophylaxis: 'none',
    visits: [{ day: -3, mhhs: 70, ihot: ihot(50) }, { day: 42 }],
    complications: [],
    deceasedDay: 364,
  },
  // Soft-deleted: would change almost every figure if it counted.
  {
    name: 'D',
    surgeon: 'A',
    surgeryDate: '2023-05-05',
    location: 'capsular',
    repair: true,
    prophylaxis: 'nsaid',
    deleted: true,
    visits: [
      { day: -2, mhhs: 91, ihot: ihot(100) },
      { day: 365, mhhs: 91, ihot: ihot(100) },
    ],
    complications: [
      {
        type: 'recurrent_snapping',
        recurrenceCause: 'incomplete_release',
        onset: 10,
        sinkGrade: 3,
        reoperation: { day: 20, procedure: 'revision_release' },
      },
      { type: 'heterotopic_ossification', brookerGrade: 4, onset: 50, sinkGrade: 2 },
      {
        type: 'conversion_to_arthroplasty',
        onset: 60,
        sinkGrade: 4,
        reoperation: { day: 70, procedure: 'total_hip_arthroplasty' },
      },
    ],
  },
];
const spec = (name: string) => COHORT.find((c) => c.name === name)!;

// The scores the reports must use, picked by hand: preop, and the 1y visit nearest day 365 (A3: day
// 300 over 430 on the tie; B1: day 360 over 280); A1 alone has PROMs at 2y.
const SCORES: Record<
  string,
  { preop?: { mhhs?: number; ihot12?: number }; '1y'?: { mhhs?: number; ihot12?: number }; '2y'?: { mhhs?: number } }
> = {
  A1: { preop: { mhhs: m(60), ihot12: 40 }, '1y': { mhhs: m(80), ihot12: 75 }, '2y': { mhhs: m(91) } },
  A2: { preop: { mhhs: m(50), ihot12: 30 }, '1y': { mhhs: m(70), ihot12: 50 } },
  A3: { preop: { mhhs: m(60), ihot12: 50 }, '1y': { mhhs: m(80), ihot12: 70 } },
  A4: { preop: { mhhs: m(50), ihot12: 20 }, '1y': { mhhs: m(70), ihot12: 60 } },
  A5: { '1y': { mhhs: m(60), ihot12: 45 } },
  A6: { preop: { mhhs: m(70), ihot12: 60 } },
  B1: { preop: { mhhs: m(60), ihot12: 40 }, '1y': { mhhs: m(91), ihot12: 80 } },
  B2: { preop: { mhhs: m(80), ihot12: 70 }, '1y': { mhhs: m(80), ihot12: 70 } },
  B3: { preop: { mhhs: m(50), ihot12: 30 }, '1y': { mhhs: m(60), ihot12: 40 } },
  B4: { '1y': { mhhs: m(80) } },
  B5: { preop: { mhhs: m(60), ihot12: 40 }, '1y': { mhhs: m(50), ihot12: 35 } },
  B6: { preop: { mhhs: m(70), ihot12: 50 } },
};
// DOMAIN.md § PROMs thresholds (MCID, PASS).
const THRESHOLDS: Record<string, Record<string, { mcid: number; pass: number }>> = {
  mhhs: { '1y': { mcid: 6.9, pass: 84.8 }, '2y': { mcid: 9.2, pass: 83.3 } },
  ihot12: { '1y': { mcid: 15.1, pass: 69.1 }, '2y': { mcid: 13.9, pass: 72.2 } },
};

const WINDOWS: Record<string, [number, number]> = {
  preop: [-180, 0],
  '6w': [28, 69],
  '3m': [70, 134],
  '6m': [135, 269],
  '1y': [270, 545],
  '2y': [546, 912],
  '5y': [1643, 2008],
};
const TIMEPOINTS = Object.keys(WINDOWS);
const COMPLICATION_TYPES = [
  'heterotopic_ossification',
  'recurrent_snapping',
  'persistent_groin_pain',
  'hip_flexor_weakness',
  'lfcn_neuropraxia',
  'pudendal_neuropraxia',
  'femoral_nerve_palsy',
  'sciatic_nerve_palsy',
  'deep_vein_thrombosis',
  'pulmonary_embolism',
  'superficial_infection',
  'deep_infection',
  'instability_dislocation',
  'femoral_neck_fracture',
  'conversion_to_arthroplasty',
  'other',
];

// What one group of the outcomes report must say, counted by hand from the cohort.
interface GroupFacts {
  members: string[];
  // Cases with a visit in each window.
  seen: Record<string, number>;
  // type → [complications, cases with one]
  complications: Record<string, [number, number]>;
  brooker: Record<string, number>;
  // prophylaxis → [cases with HO, cases]
  hoByProphylaxis: Record<string, [number, number]>;
  recurrence: number;
  byCause: Record<string, number>;
  reoperation: number;
  conversion: number;
}

const CAPSULAR = ['A1', 'A2', 'A4', 'A5', 'B1', 'B2'];
const LESSER_TROCHANTER = ['A3', 'A6', 'B3', 'B4', 'B5', 'B6'];
const REPAIR = ['A1', 'A2', 'A3', 'B1', 'B3', 'B5'];
const NO_REPAIR = ['A4', 'A5', 'A6', 'B2', 'B4', 'B6'];
const LIVE = [...CAPSULAR, ...LESSER_TROCHANTER];

const FACTS: Record<string, GroupFacts> = {
  all: {
    members: LIVE,
    // preop: all but A5, B4; 6w: A1 (42), A4 (45), B6 (42); 3m: A2 (90), B4 (100); 1y: all but A6, B6; 2y: A1 (730), B1 (600).
    seen: { preop: 10, '6w': 3, '3m': 2, '6m': 0, '1y': 10, '2y': 2, '5y': 0 },
    complications: {
      lfcn_neuropraxia: [1, 1],
      hip_flexor_weakness: [2, 2],
      heterotopic_ossification: [4, 3],
      persistent_groin_pain: [1, 1],
      recurrent_snapping: [3, 3],
      superficial_infection: [1, 1],
      conversion_to_arthroplasty: [1, 1],
    },
    brooker: { 1: 0, 2: 1, 3: 1, 4: 1 }, // A2 → 3 (highest of 1 and 3), B3 → 2, B4 → 4
    hoByProphylaxis: { nsaid: [1, 6], none: [2, 6] }, // nsaid: A1 A2 A3 A4 B1 B2 (HO: A2); none: A5 A6 B3 B4 B5 B6 (HO: B3, B4)
    recurrence: 3,
    byCause: { incomplete_release: 1, unknown: 1, bifid_tendon: 1 }, // A4, A5, B1
    reoperation: 3,
    conversion: 1, // A4, B3, B5; B5
  },
  capsular: {
    members: CAPSULAR,
    seen: { preop: 5, '6w': 2, '3m': 1, '6m': 0, '1y': 6, '2y': 2, '5y': 0 },
    complications: {
      lfcn_neuropraxia: [1, 1],
      hip_flexor_weakness: [1, 1],
      heterotopic_ossification: [2, 1],
      recurrent_snapping: [3, 3],
      superficial_infection: [1, 1],
    },
    brooker: { 1: 0, 2: 0, 3: 1, 4: 0 },
    hoByProphylaxis: { nsaid: [1, 5], none: [0, 1] },
    recurrence: 3,
    byCause: { incomplete_release: 1, unknown: 1, bifid_tendon: 1 },
    reoperation: 1,
    conversion: 0,
  },
  lesser_trochanter: {
    members: LESSER_TROCHANTER,
    seen: { preop: 5, '6w': 1, '3m': 1, '6m': 0, '1y': 4, '2y': 0, '5y': 0 },
    complications: {
      persistent_groin_pain: [1, 1],
      heterotopic_ossification: [2, 2],
      hip_flexor_weakness: [1, 1],
      conversion_to_arthroplasty: [1, 1],
    },
    brooker: { 1: 0, 2: 1, 3: 0, 4: 1 },
    hoByProphylaxis: { nsaid: [0, 1], none: [2, 5] },
    recurrence: 0,
    byCause: {},
    reoperation: 2,
    conversion: 1,
  },
  true: {
    members: REPAIR,
    seen: { preop: 6, '6w': 1, '3m': 1, '6m': 0, '1y': 6, '2y': 2, '5y': 0 },
    complications: {
      lfcn_neuropraxia: [1, 1],
      hip_flexor_weakness: [1, 1],
      heterotopic_ossification: [3, 2],
      persistent_groin_pain: [1, 1],
      recurrent_snapping: [1, 1],
      conversion_to_arthroplasty: [1, 1],
    },
    brooker: { 1: 0, 2: 1, 3: 1, 4: 0 },
    hoByProphylaxis: { nsaid: [1, 4], none: [1, 2] },
    recurrence: 1,
    byCause: { bifid_tendon: 1 },
    reoperation: 2,
    conversion: 1,
  },
  false: {
    members: NO_REPAIR,
    seen: { preop: 4, '6w': 2, '3m': 1, '6m': 0, '1y': 4, '2y': 0, '5y': 0 },
    complications: {
      recurrent_snapping: [2, 2],
      superficial_infection: [1, 1],
      heterotopic_ossification: [1, 1],
      hip_flexor_weakness: [1, 1],
    },
    brooker: { 1: 0, 2: 0, 3: 0, 4: 1 },
    hoByProphylaxis: { nsaid: [0, 2], none: [1, 4] },
    recurrence: 2,
    byCause: { incomplete_release: 1, unknown: 1 },
    reoperation: 1,
    conversion: 0,
  },
  surgeonA: {
    members: ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'],
    seen: { preop: 5, '6w': 2, '3m': 1, '6m': 0, '1y': 5, '2y': 1, '5y': 0 },
    complications: {
      lfcn_neuropraxia: [1, 1],
      hip_flexor_weakness: [1, 1],
      heterotopic_ossification: [2, 1],
      persistent_groin_pain: [1, 1],
      recurrent_snapping: [2, 2],
    },
    brooker: { 1: 0, 2: 0, 3: 1, 4: 0 },
    hoByProphylaxis: { nsaid: [1, 4], none: [0, 2] },
    recurrence: 2,
    byCause: { incomplete_release: 1, unknown: 1 },
    reoperation: 1,
    conversion: 0,
  },
};

// The PROM block of one group, from the hand-picked scores.
function promTimepoint(members: string[], instrument: 'mhhs' | 'ihot12', timepoint: '1y' | '2y'): Body {
  const scored = members.filter((n) => (SCORES[n][timepoint] as Body | undefined)?.[instrument] !== undefined);
  const paired = scored.filter((n) => SCORES[n].preop?.[instrument] !== undefined);
  const score = (n: string) => (SCORES[n][timepoint] as Body)[instrument] as number;
  const change = (n: string) => score(n) - SCORES[n].preop![instrument]!;
  const { mcid, pass } = THRESHOLDS[instrument][timepoint];
  return {
    mean: close(mean(scored.map(score))),
    n: scored.length,
    meanChange: close(mean(paired.map(change))),
    pairedN: paired.length,
    mcid: proportion(paired.filter((n) => change(n) >= mcid).length, paired.length),
    pass: proportion(scored.filter((n) => score(n) >= pass).length, scored.length),
  };
}
const EMPTY_TIMEPOINT = {
  mean: null,
  n: 0,
  meanChange: null,
  pairedN: 0,
  mcid: proportion(0, 0),
  pass: proportion(0, 0),
};
function promBlock(members: string[], instrument: 'mhhs' | 'ihot12'): Body {
  const baseline = members.map((n) => SCORES[n].preop?.[instrument]).filter((s): s is number => s !== undefined);
  return {
    baseline: { mean: close(mean(baseline)), n: baseline.length },
    timepoints: {
      '6w': EMPTY_TIMEPOINT,
      '3m': EMPTY_TIMEPOINT,
      '6m': EMPTY_TIMEPOINT,
      '1y': promTimepoint(members, instrument, '1y'),
      '2y':
        instrument === 'mhhs' && members.includes('A1') ? promTimepoint(members, instrument, '2y') : EMPTY_TIMEPOINT,
      '5y': EMPTY_TIMEPOINT,
    },
  };
}
const unusedInstrument = (instrument: string): Body => {
  const empty = { ...EMPTY_TIMEPOINT, ...(instrument === 'nahs' ? { mcid: null, pass: null } : {}) };
  return {
    baseline: { mean: null, n: 0 },
    timepoints: Object.fromEntries(['6w', '3m', '6m', '1y', '2y', '5y'].map((t) => [t, empty])),
  };
};

// The whole group object the outcomes report must return.
function expectedGroup(key: string, facts: GroupFacts): Body {
  const cases = facts.members.length;
  const followUpCompleteness = Object.fromEntries(
    TIMEPOINTS.map((t) => {
      // Due: the window has closed (surgery + last day of the window is before today).
      const due = facts.members.filter((n) => addDays(spec(n).surgeryDate, WINDOWS[t][1]) < TODAY).length;
      // No patient of this cohort has an email address: nobody is invited to a questionnaire.
      return [t, { due, seen: facts.seen[t], rate: due ? close(facts.seen[t] / due) : null, invited: 0, answered: 0 }];
    }),
  );
  return {
    key,
    cases,
    // Cases of patients who declined or withdrew consent: counted, and said so (B2's consent is withdrawn).
    withoutConsent: facts.members.filter((n) => (spec(n).consent ?? 'given') !== 'given').length,
    followUpCompleteness,
    complications: COMPLICATION_TYPES.map((type) => {
      const [count, withOne] = facts.complications[type] ?? [0, 0];
      return { type, count, ...proportion(withOne, cases) };
    }),
    heterotopicOssification: {
      byBrookerGrade: Object.fromEntries(Object.entries(facts.brooker).map(([g, n]) => [String(g), n])),
      byProphylaxis: Object.fromEntries(
        Object.entries(facts.hoByProphylaxis).map(([p, [x, n]]) => [p, proportion(x, n)]),
      ),
    },
    recurrence: { ...proportion(facts.recurrence, cases), byCause: facts.byCause },
    reoperation: proportion(facts.reoperation, cases),
    conversionToArthroplasty: proportion(facts.conversion, cases),
    proms: {
      mhhs: promBlock(facts.members, 'mhhs'),
      ihot12: promBlock(facts.members, 'ihot12'),
      hosAdl: unusedInstrument('hosAdl'),
      hosSport: unusedInstrument('hosSport'),
      nahs: unusedInstrument('nahs'),
    },
  };
}

// Compares complications by type, whatever order the report lists them in.
function byType(group: Body): Body {
  return { ...group, complications: Object.fromEntries((group.complications as Body[]).map((c) => [c.type, c])) };
}

describe('reports (e2e)', () => {
  let t: TestApp;
  let surgeonA: TestUser;
  let surgeonB: TestUser;
  let staff: TestUser;
  let reviewer: TestUser;
  let admin: string;
  const created: Record<string, Body> = {};

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const surgeonOf = (c: CaseSpec) => (c.surgeon === 'A' ? surgeonA : surgeonB);
  async function send(
    method: 'post' | 'patch' | 'delete',
    path: string,
    token: string,
    body: Body,
    ifMatch?: string,
  ): Promise<Body> {
    let req = t.http()[method](path).set(as(token));
    if (ifMatch) req = req.set('If-Match', ifMatch);
    const response = await req.send(body);
    if (response.status >= 300)
      throw new Error(`${method.toUpperCase()} ${path} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
  const get = (path: string, token: string, query: Record<string, string> = {}) =>
    t.http().get(path).query(query).set(as(token));

  async function build(c: CaseSpec): Promise<void> {
    const token = surgeonOf(c).token;
    const body = newCaseBody({
      surgeryDate: c.surgeryDate,
      release:
        c.location === 'capsular'
          ? {
              location: 'capsular',
              capsularLevel: 'peripheral_compartment',
              technique: 'fractional_lengthening',
              tendonBundles: 1,
            }
          : { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 },
      impingementRepair: c.repair
        ? { performed: true, procedures: ['labral_repair'] }
        : { performed: false, procedures: [] },
      hoProphylaxis: c.prophylaxis,
    });
    const kase = await send('post', '/api/v1/cases', token, body);
    created[c.name] = kase;
    for (const v of c.visits) {
      const proms: Body = {};
      if (v.mhhs !== undefined) proms.mhhs = MHHS[v.mhhs];
      if (v.ihot) proms.ihot12 = v.ihot;
      const visit = await send('post', `/api/v1/cases/${kase.id}/follow-ups`, token, {
        visitDate: addDays(c.surgeryDate, v.day),
        contactMode: 'clinic',
        proms,
      });
      // The cohort's premises: the visit falls where the expectations assume, with the scores assumed.
      if (visit.day !== v.day) throw new Error(`${c.name}: visit day ${visit.day}, expected ${v.day}`);
      if (v.mhhs !== undefined && Math.abs(visit.proms.mhhs.score - m(v.mhhs)) > 1e-9)
        throw new Error(`${c.name}: mHHS ${visit.proms.mhhs.score}`);
      if (v.ihot && Math.abs(visit.proms.ihot12.score - (v.expectedIhot ?? (v.ihot[0] as number))) > 1e-9)
        throw new Error(`${c.name}: iHOT-12 ${visit.proms.ihot12.score}`);
      if (v.deleted)
        await send(
          'delete',
          `/api/v1/follow-ups/${visit.id}`,
          token,
          { reason: 'wrong patient' },
          `"${visit.version}"`,
        );
    }
    for (const k of c.complications) {
      const complication = await send('post', `/api/v1/cases/${kase.id}/complications`, token, {
        type: k.type,
        onsetDate: addDays(c.surgeryDate, k.onset),
        sinkGrade: k.sinkGrade,
        ...(k.brookerGrade !== undefined ? { brookerGrade: k.brookerGrade } : {}),
        ...(k.recurrenceCause ? { recurrenceCause: k.recurrenceCause } : {}),
        ...(k.resolved !== undefined ? { resolvedDate: addDays(c.surgeryDate, k.resolved) } : {}),
        ...(k.reoperation
          ? { reoperation: { date: addDays(c.surgeryDate, k.reoperation.day), procedure: k.reoperation.procedure } }
          : {}),
      });
      if (k.deleted)
        await send(
          'delete',
          `/api/v1/complications/${complication.id}`,
          token,
          { reason: 'wrong case' },
          `"${complication.version}"`,
        );
    }
    if (c.deceasedDay !== undefined || c.consent) {
      const patient = await get(`/api/v1/patients/${kase.patientId}`, admin).expect(200);
      await send(
        'patch',
        `/api/v1/patients/${kase.patientId}`,
        admin,
        {
          ...(c.deceasedDay !== undefined ? { deceasedDate: addDays(c.surgeryDate, c.deceasedDay) } : {}),
          ...(c.consent ? { consent: c.consent } : {}),
        },
        patient.headers.etag,
      );
    }
    if (c.deleted) {
      const current = await get(`/api/v1/cases/${kase.id}`, token).expect(200);
      await send('delete', `/api/v1/cases/${kase.id}`, token, { reason: 'entered twice' }, current.headers.etag);
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    [surgeonA, surgeonB, staff, reviewer] = await Promise.all([
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'registry_staff' }),
      t.factories.newUser({ role: 'quality_reviewer' }),
    ]);
    admin = await t.factories.admin();
    // One case after another, so that registry codes follow the creation order.
    for (const c of COHORT) await build(c);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const id = (name: string) => created[name].id as string;

  describe('outcomes', () => {
    it('has every figure of the single group right when nothing is grouped, deleted records left out', async () => {
      const response = await get('/api/v1/reports/outcomes', reviewer.token).expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({
        report: 'outcomes',
        filters: { groupBy: null },
        definitions: expect.any(Object),
      });
      expect(new Date(response.body.generatedAt).toISOString()).toBe(response.body.generatedAt);
      expect(response.body.groups).toHaveLength(1);
      const [all] = response.body.groups;
      expect(all.complications).toHaveLength(COMPLICATION_TYPES.length);
      expect(byType(all)).toEqual(byType(expectedGroup('all', FACTS.all)));
      // Anchors worked out on paper. mHHS preop: 66 55 66 55 77 66 88 55 66 77 → 671 / 10.
      expect(all.proms.mhhs.baseline.mean).toBeCloseTo(67.1, 9);
      // mHHS 1y: 88 77 88 77 66 100 88 66 88 55 → 793 / 10; paired changes 22 22 22 22 34 0 11 −11 → 122 / 8.
      expect(all.proms.mhhs.timepoints['1y'].mean).toBeCloseTo(79.3, 9);
      expect(all.proms.mhhs.timepoints['1y'].meanChange).toBeCloseTo(15.25, 9);
      expect(all.proms.mhhs.timepoints['1y'].mcid).toMatchObject({ numerator: 6, denominator: 8 });
      expect(all.proms.mhhs.timepoints['1y'].pass).toMatchObject({ numerator: 5, denominator: 10 });
      // iHOT-12 preop: 430 / 10; 1y: 75 50 70 60 45 80 70 40 35 → 525 / 9; changes 35 20 20 40 40 0 10 −5 → 160 / 8.
      expect(all.proms.ihot12.baseline.mean).toBeCloseTo(43, 9);
      expect(all.proms.ihot12.timepoints['1y'].mean).toBeCloseTo(525 / 9, 9);
      expect(all.proms.ihot12.timepoints['1y'].meanChange).toBeCloseTo(20, 9);
      expect(all.proms.ihot12.timepoints['1y'].mcid).toMatchObject({ numerator: 5, denominator: 8 });
      expect(all.proms.ihot12.timepoints['1y'].pass).toMatchObject({ numerator: 4, denominator: 9 });
      // Recurrence 3 of 12, Wilson by hand.
      const w = wilson(3, 12);
      expect(all.recurrence.rate).toBeCloseTo(0.25, 9);
      expect(all.recurrence.lower95).toBeCloseTo(w.lower, 9);
      expect(all.recurrence.upper95).toBeCloseTo(w.upper, 9);
    });

    it('has every figure right per release location', async () => {
      const response = await get('/api/v1/reports/outcomes', reviewer.token, { groupBy: 'releaseLocation' }).expect(
        200,
      );
      expect(response.body.filters).toMatchObject({ groupBy: 'releaseLocation' });
      expect(response.body.groups.map((g: Body) => g.key)).toEqual(['capsular', 'lesser_trochanter']);
      const [capsular, lesser] = response.body.groups;
      expect(byType(capsular)).toEqual(byType(expectedGroup('capsular', FACTS.capsular)));
      expect(byType(lesser)).toEqual(byType(expectedGroup('lesser_trochanter', FACTS.lesser_trochanter)));
      // Capsular mHHS 1y: 88 77 77 66 100 88 → 496 / 6; paired 22 22 22 34 0 → 20. Lesser trochanter: 1y 88 66 88 55 → 74.25.
      expect(capsular.proms.mhhs.timepoints['1y'].mean).toBeCloseTo(496 / 6, 9);
      expect(capsular.proms.mhhs.timepoints['1y'].meanChange).toBeCloseTo(20, 9);
      expect(lesser.proms.mhhs.timepoints['1y'].mean).toBeCloseTo(74.25, 9);
      expect(lesser.recurrence).toMatchObject({ numerator: 0, denominator: 6, rate: 0, byCause: {} });
    });

    it('has every figure right per impingement repair', async () => {
      const response = await get('/api/v1/reports/outcomes', reviewer.token, { groupBy: 'impingementRepair' }).expect(
        200,
      );
      expect(response.body.groups.map((g: Body) => g.key)).toEqual(['false', 'true']);
      const [without, withRepair] = response.body.groups;
      expect(byType(without)).toEqual(byType(expectedGroup('false', FACTS.false)));
      expect(byType(withRepair)).toEqual(byType(expectedGroup('true', FACTS.true)));
      // With repair, iHOT-12 changes 35 20 20 40 10 −5 → 120 / 6 = 20, MCID reached by 4 of 6.
      expect(withRepair.proms.ihot12.timepoints['1y'].meanChange).toBeCloseTo(20, 9);
      expect(withRepair.proms.ihot12.timepoints['1y'].mcid).toMatchObject({ numerator: 4, denominator: 6 });
    });

    it('groups by surgeon under their ids', async () => {
      const response = await get('/api/v1/reports/outcomes', reviewer.token, { groupBy: 'surgeon' }).expect(200);
      const groups = Object.fromEntries(response.body.groups.map((g: Body) => [g.key, g.cases]));
      expect(groups).toEqual({ [surgeonA.id]: 6, [surgeonB.id]: 6 });
    });

    it('applies the common filters: surgery dates, release location and impingement repair', async () => {
      const capsularNoRepair = await get('/api/v1/reports/outcomes', reviewer.token, {
        releaseLocation: 'capsular',
        impingementRepair: 'false',
        from: '2023-01-01',
      }).expect(200);
      // Capsular without repair: A4, A5, B2; B2 (2022-11-03) is before `from`.
      expect(capsularNoRepair.body.groups).toHaveLength(1);
      expect(capsularNoRepair.body.groups[0]).toMatchObject({ cases: 2, recurrence: { numerator: 2, denominator: 2 } });
      const early = await get('/api/v1/reports/outcomes', reviewer.token, { to: '2022-12-31' }).expect(200);
      // A1, A2, B1, B2.
      expect(early.body.groups[0].cases).toBe(4);
    });
  });

  describe('survival', () => {
    // Recurrence, by release location. Capsular: A5 event 30, A4 event 200, B2 censored 365, B1 event 400,
    // A2 censored 450, A1 censored 730. Lesser trochanter, no event: A6 0, B6 364, B4 410, B3 420, A3 430, B5 520.
    const CAPSULAR_ROWS = [
      // day, at risk, events, censored, S
      [30, 6, 1, 0, 5 / 6],
      [200, 5, 1, 0, (5 / 6) * (4 / 5)],
      [365, 4, 0, 1, 2 / 3],
      [400, 3, 1, 0, (2 / 3) * (2 / 3)],
      [450, 2, 0, 1, 4 / 9],
      [730, 1, 0, 1, 4 / 9],
    ];
    const LESSER_ROWS = [
      [0, 6, 0, 1, 1],
      [364, 5, 0, 1, 1],
      [410, 4, 0, 1, 1],
      [420, 3, 0, 1, 1],
      [430, 2, 0, 1, 1],
      [520, 1, 0, 1, 1],
    ];
    function expectedCurve(rows: number[][]): Body[] {
      let greenwood = 0;
      return rows.map(([day, atRisk, events, censored, s]) => {
        if (events > 0) greenwood += events / (atRisk * (atRisk - events));
        const { lower, upper } = logLogInterval(s, greenwood);
        return { day, atRisk, events, censored, survival: close(s), lower95: close(lower), upper95: close(upper) };
      });
    }

    it('gives the Kaplan–Meier table per release location and the log-rank test for recurrence', async () => {
      const response = await get('/api/v1/reports/survival', reviewer.token, {
        endpoint: 'recurrence',
        groupBy: 'releaseLocation',
      }).expect(200);
      expect(response.body.filters).toMatchObject({ endpoint: 'recurrence', groupBy: 'releaseLocation' });
      expect(response.body.groups.map((g: Body) => g.key)).toEqual(['capsular', 'lesser_trochanter']);
      const [capsular, lesser] = response.body.groups;
      expect(capsular).toMatchObject({ cases: 6, events: 3 });
      expect(capsular.curve).toEqual(expectedCurve(CAPSULAR_ROWS));
      // No event: survival 1 throughout, no interval.
      expect(lesser).toMatchObject({ cases: 6, events: 0 });
      expect(lesser.curve).toEqual(expectedCurve(LESSER_ROWS));
      expect(lesser.curve.every((r: Body) => r.survival === 1 && r.lower95 === null && r.upper95 === null)).toBe(true);

      // Log-rank by hand. Event days, capsular at risk / all at risk: day 30 6/11, day 200 5/10, day 400 3/7, one event each.
      // E = 6/11 + 5/10 + 3/7; V = Σ (n₁/n)(1 − n₁/n) = 30/121 + 1/4 + 12/49; χ² = (3 − E)² / V on 1 df.
      const expected = 6 / 11 + 5 / 10 + 3 / 7;
      const variance = 30 / 121 + 1 / 4 + 12 / 49;
      const chiSquare = (3 - expected) ** 2 / variance;
      expect(response.body.logRank.df).toBe(1);
      expect(response.body.logRank.chiSquare).toBeCloseTo(chiSquare, 9);
      expect(response.body.logRank.pValue).toBeGreaterThan(0);
      expect(response.body.logRank.pValue).toBeLessThanOrEqual(1);
      expect(response.body.logRank.pValue).toBeCloseTo(chiSquare1Tail(chiSquare), 9);
    });

    it('counts reoperations and conversions as their own endpoints', async () => {
      const reoperation = await get('/api/v1/reports/survival', reviewer.token, {
        endpoint: 'reoperation',
        groupBy: 'releaseLocation',
      }).expect(200);
      const [capsular, lesser] = reoperation.body.groups;
      // A4 revision release on day 250; B3 HO excision on day 420, B5 arthroplasty on day 520.
      expect([capsular.events, lesser.events]).toEqual([1, 2]);
      expect(capsular.curve.filter((r: Body) => r.events > 0).map((r: Body) => [r.day, r.atRisk])).toEqual([[250, 6]]);
      expect(lesser.curve.filter((r: Body) => r.events > 0).map((r: Body) => [r.day, r.atRisk])).toEqual([
        [420, 3],
        [520, 1],
      ]);
      expect(lesser.curve.at(-1)).toMatchObject({ day: 520, survival: 0, lower95: null, upper95: null });
      expect(reoperation.body.logRank.df).toBe(1);

      const conversion = await get('/api/v1/reports/survival', reviewer.token, { endpoint: 'conversion' }).expect(200);
      expect(conversion.body.groups).toHaveLength(1);
      expect(conversion.body.groups[0]).toMatchObject({ key: 'all', cases: 12, events: 1 });
      const event = conversion.body.groups[0].curve.find((r: Body) => r.events > 0);
      // At risk on day 520: B5 and A1 (730), B1 (600).
      expect(event).toMatchObject({ day: 520, atRisk: 3, events: 1, survival: close(2 / 3) });
      expect(conversion.body.logRank).toBeNull();
    });
  });

  describe('funnel', () => {
    // complication_90d, first onset ≤ day 90: A1 (5), A2 (14), A3 (50), A5 (30) | B2 (12), B4 (60). Not evaluable:
    // A6 (nothing after surgery). A: 4 of 5; B: 2 of 6 (B6 died on day 364 ≥ 90). Target 6/11.
    it('gives evaluable cases and events per surgeon for complications within 90 days', async () => {
      const response = await get('/api/v1/reports/funnel', reviewer.token, { outcome: 'complication_90d' }).expect(200);
      const theta = 6 / 11;
      expect(response.body.target).toBeCloseTo(theta, 9);
      expect(response.body.totals).toEqual({ cases: 11, events: 6 });
      const rows = Object.fromEntries(response.body.surgeons.map((s: Body) => [s.surgeonId, s]));
      expect(Object.keys(rows).sort()).toEqual([surgeonA.id, surgeonB.id].sort());
      expect(rows[surgeonA.id]).toMatchObject({
        cases: 5,
        events: 4,
        rate: close(4 / 5),
        limits: mapClose(funnelLimits(5, theta)),
      });
      expect(rows[surgeonB.id]).toMatchObject({
        cases: 6,
        events: 2,
        rate: close(2 / 6),
        limits: mapClose(funnelLimits(6, theta)),
      });
      for (const s of response.body.surgeons) expectOrderedLimits(s.limits);
      expectCurve(response.body.curve, theta, 10);
    });

    // recurrence_1y: A4 (200), A5 (30) are events; B1's is on day 400. Not evaluable: A6 (0), B6 (364 < 365).
    // B2's last contact is day 365 exactly: evaluable. A: 2 of 5; B: 0 of 5. Target 2/10.
    it('gives evaluable cases and events per surgeon for recurrence within a year', async () => {
      const response = await get('/api/v1/reports/funnel', reviewer.token, { outcome: 'recurrence_1y' }).expect(200);
      expect(response.body.target).toBeCloseTo(0.2, 9);
      expect(response.body.totals).toEqual({ cases: 10, events: 2 });
      const rows = Object.fromEntries(response.body.surgeons.map((s: Body) => [s.surgeonId, s]));
      expect(rows[surgeonA.id]).toMatchObject({
        cases: 5,
        events: 2,
        rate: close(0.4),
        limits: mapClose(funnelLimits(5, 0.2)),
      });
      expect(rows[surgeonB.id]).toMatchObject({ cases: 5, events: 0, rate: 0, limits: mapClose(funnelLimits(5, 0.2)) });
      for (const s of response.body.surgeons) expectOrderedLimits(s.limits);
      expectCurve(response.body.curve, 0.2, 10);
    });

    it('shows a surgeon themself by id and the other surgeon unnamed', async () => {
      const response = await get('/api/v1/reports/funnel', surgeonA.token, { outcome: 'complication_90d' }).expect(200);
      expect(response.body.surgeons).toHaveLength(2);
      const self = response.body.surgeons.find((s: Body) => s.self);
      const other = response.body.surgeons.find((s: Body) => !s.self);
      expect(self).toMatchObject({ surgeonId: surgeonA.id, cases: 5, events: 4 });
      expect(other).toMatchObject({ surgeonId: null, cases: 6, events: 2 });
      expect(JSON.stringify(response.body)).not.toContain(surgeonB.id);
      await get('/api/v1/reports/funnel', surgeonA.token, {
        outcome: 'complication_90d',
        surgeonId: surgeonB.id,
      }).expect(403);
      const forReviewer = await get('/api/v1/reports/funnel', reviewer.token, { outcome: 'complication_90d' }).expect(
        200,
      );
      expect(forReviewer.body.surgeons.map((s: Body) => s.surgeonId).sort()).toEqual([surgeonA.id, surgeonB.id].sort());
    });
  });

  describe('cusum', () => {
    const p0 = 0.2;
    const R = 2;
    // W = y·ln R − ln(1 − p0 + R·p0): an event adds ln 2 − ln 1.2, a case without one subtracts ln 1.2.
    const up = Math.log(R) - Math.log(1 - p0 + R * p0);
    const down = -Math.log(1 - p0 + R * p0);

    it("follows surgeon A's cases in surgery-date order, then registry code, signalling and restarting at h", async () => {
      const response = await get('/api/v1/reports/cusum', reviewer.token, {
        surgeonId: surgeonA.id,
        outcome: 'complication_90d',
        p0: '0.2',
        oddsRatio: '2',
        h: '1',
      }).expect(200);
      expect(response.body).toMatchObject({ p0: close(0.2), oddsRatio: 2, h: 1 });
      // A1 (2022-03-01, event) up; A2 (2022-06-15, event) 2·up = 1.02 ≥ 1: signal, restart at 0;
      // A3 and A4 (both 2023-01-10; A3 has the lower registry code): event up, then none up − ln 1.2;
      // A5 (2023-09-20, event) 2·up − ln 1.2 = 0.84. A6 is not evaluable (no contact after surgery).
      const expected = [
        { name: 'A1', event: true, value: up, signal: false },
        { name: 'A2', event: true, value: 2 * up, signal: true },
        { name: 'A3', event: true, value: up, signal: false },
        { name: 'A4', event: false, value: up + down, signal: false },
        { name: 'A5', event: true, value: 2 * up + down, signal: false },
      ];
      expect(created.A3.registryCode < created.A4.registryCode).toBe(true);
      expect(response.body.points).toEqual(
        expected.map((p) => ({
          caseId: id(p.name),
          registryCode: created[p.name].registryCode,
          surgeryDate: spec(p.name).surgeryDate,
          event: p.event,
          value: close(p.value),
          signal: p.signal,
        })),
      );
      expect(response.body.signals).toEqual([id('A2')]);
    });

    it('never lets the CUSUM fall below 0 (surgeon B)', async () => {
      const response = await get('/api/v1/reports/cusum', reviewer.token, {
        surgeonId: surgeonB.id,
        outcome: 'complication_90d',
        p0: '0.2',
        oddsRatio: '2',
        h: '1',
      }).expect(200);
      // B1 none → max(0, −0.18) = 0; B2 event up; B3 none; B4 event; B5, B6 none. No signal.
      const values = [0, up, up + down, 2 * up + down, 2 * up + 2 * down, 2 * up + 3 * down];
      expect(response.body.points.map((p: Body) => p.caseId)).toEqual(['B1', 'B2', 'B3', 'B4', 'B5', 'B6'].map(id));
      expect(response.body.points.map((p: Body) => p.value)).toEqual(values.map(close));
      expect(response.body.signals).toEqual([]);
    });

    it('defaults p0 to the registry-wide rate', async () => {
      const response = await get('/api/v1/reports/cusum', reviewer.token, {
        surgeonId: surgeonA.id,
        outcome: 'complication_90d',
      }).expect(200);
      expect(response.body).toMatchObject({ p0: close(6 / 11), oddsRatio: 2, h: 4.5 });
    });

    it('lets a surgeon see their own CUSUM only', async () => {
      const own = await get('/api/v1/reports/cusum', surgeonA.token, {
        outcome: 'complication_90d',
        p0: '0.2',
        h: '1',
      }).expect(200);
      expect(own.body.points.map((p: Body) => p.caseId)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5'].map(id));
      const denied = await get('/api/v1/reports/cusum', surgeonB.token, {
        surgeonId: surgeonA.id,
        outcome: 'complication_90d',
      }).expect(403);
      expect(denied.body.code).toBe('forbidden');
    });
  });

  describe('CSV and printable pages', () => {
    const csvRows = (response: Response): Row[] => parse(response.text, { columns: true }) as Row[];
    const num = (cell: string) => (cell === '' ? null : Number(cell));

    it('gives the outcomes figures as CSV with ?format=csv and with Accept: text/csv', async () => {
      const json = (await get('/api/v1/reports/outcomes', reviewer.token, { groupBy: 'releaseLocation' }).expect(200))
        .body;
      const byFormat = await get('/api/v1/reports/outcomes', reviewer.token, {
        groupBy: 'releaseLocation',
        format: 'csv',
      }).expect(200);
      const byAccept = await t
        .http()
        .get('/api/v1/reports/outcomes')
        .query({ groupBy: 'releaseLocation' })
        .set(as(reviewer.token))
        .set('Accept', 'text/csv')
        .expect(200);
      for (const response of [byFormat, byAccept]) expect(response.headers['content-type']).toMatch(/^text\/csv/);
      const rows = csvRows(byFormat);
      expect(csvRows(byAccept)).toEqual(rows);
      const cases = rows.filter((r) => r.section === 'cases');
      expect(cases.map((r) => [r.group, Number(r.value)])).toEqual(json.groups.map((g: Body) => [g.key, g.cases]));
      expect(cases.map((r) => Number(r.value))).toEqual([6, 6]);
      for (const g of json.groups as Body[]) {
        const recurrence = rows.find((r) => r.group === g.key && r.section === 'recurrence')!;
        expect([Number(recurrence.numerator), Number(recurrence.denominator), num(recurrence.value)]).toEqual([
          g.recurrence.numerator,
          g.recurrence.denominator,
          g.recurrence.rate,
        ]);
        const mcid = rows.find(
          (r) => r.group === g.key && r.section === 'prom_mcid_reached' && r.item === 'mhhs' && r.timepoint === '1y',
        )!;
        expect(num(mcid.value)).toBe(g.proms.mhhs.timepoints['1y'].mcid.rate);
        const hoRow = rows.find(
          (r) => r.group === g.key && r.section === 'complication' && r.item === 'heterotopic_ossification',
        )!;
        const ho = g.complications.find((c: Body) => c.type === 'heterotopic_ossification');
        expect([Number(hoRow.n), num(hoRow.value), num(hoRow.lower95), num(hoRow.upper95)]).toEqual([
          ho.count,
          ho.rate,
          ho.lower95,
          ho.upper95,
        ]);
      }
    });

    it('gives the survival table as CSV, one row per group and day', async () => {
      const query = { endpoint: 'recurrence', groupBy: 'releaseLocation' };
      const json = (await get('/api/v1/reports/survival', reviewer.token, query).expect(200)).body;
      for (const response of [
        await get('/api/v1/reports/survival', reviewer.token, { ...query, format: 'csv' }).expect(200),
        await t
          .http()
          .get('/api/v1/reports/survival')
          .query(query)
          .set(as(reviewer.token))
          .set('Accept', 'text/csv')
          .expect(200),
      ]) {
        expect(response.headers['content-type']).toMatch(/^text\/csv/);
        const rows = csvRows(response);
        const expected = (json.groups as Body[]).flatMap((g) =>
          g.curve.map((r: Body) => [g.key, r.day, r.atRisk, r.events, r.censored, r.survival, r.lower95, r.upper95]),
        );
        expect(
          rows.map((r) => [
            r.group,
            ...['day', 'atRisk', 'events', 'censored', 'survival', 'lower95', 'upper95'].map((c) => num(r[c])),
          ]),
        ).toEqual(expected);
        expect(rows.every((r) => num(r.logRankPValue) === json.logRank.pValue && num(r.logRankDf) === 1)).toBe(true);
      }
    });

    it('gives the funnel and the CUSUM as CSV', async () => {
      const funnel = await get('/api/v1/reports/funnel', reviewer.token, {
        outcome: 'complication_90d',
        format: 'csv',
      }).expect(200);
      expect(funnel.headers['content-type']).toMatch(/^text\/csv/);
      const surgeons = Object.fromEntries(
        csvRows(funnel).map((r) => [r.surgeonId, [Number(r.cases), Number(r.events), Number(r.target)]]),
      );
      expect(surgeons[surgeonA.id]).toEqual([5, 4, expect.closeTo(6 / 11, 9)]);
      expect(surgeons[surgeonB.id]).toEqual([6, 2, expect.closeTo(6 / 11, 9)]);

      const query = { surgeonId: surgeonA.id, outcome: 'complication_90d', p0: '0.2', oddsRatio: '2', h: '1' };
      const json = (await get('/api/v1/reports/cusum', reviewer.token, query).expect(200)).body;
      const cusum = await t
        .http()
        .get('/api/v1/reports/cusum')
        .query(query)
        .set(as(reviewer.token))
        .set('Accept', 'text/csv')
        .expect(200);
      expect(cusum.headers['content-type']).toMatch(/^text\/csv/);
      expect(csvRows(cusum).map((r) => [r.caseId, r.surgeryDate, r.event, Number(r.value), r.signal])).toEqual(
        json.points.map((p: Body) => [p.caseId, p.surgeryDate, String(p.event), p.value, String(p.signal)]),
      );
    });

    const pages: Array<[string, (ids: { a: string }) => Record<string, string>, string[]]> = [
      ['outcomes.html', () => ({ groupBy: 'releaseLocation' }), ['groupBy', 'releaseLocation', 'Wilson score']],
      ['survival.html', () => ({ endpoint: 'recurrence' }), ['endpoint', 'recurrence', 'Kaplan–Meier']],
      ['funnel.html', () => ({ outcome: 'recurrence_1y' }), ['outcome', 'recurrence_1y', 'Spiegelhalter']],
      [
        'cusum.html',
        ({ a }) => ({ surgeonId: a, outcome: 'complication_90d' }),
        ['surgeonId', 'complication_90d', 'Steiner'],
      ],
    ];
    for (const [page, query, mentions] of pages) {
      it(`prints ${page} with a titled chart, the filters and the definitions`, async () => {
        const q = query({ a: surgeonA.id });
        const response = await get(`/api/v1/reports/${page}`, reviewer.token, q).expect(200);
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        expect(response.text).toMatch(/<svg[^>]*>[\s\S]*?<title>[^<]+<\/title>/);
        // The charts (libs/charts, drawn on the server) name surgeons and codes in words, never by id or code.
        const charts = response.text.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
        expect(charts.length).toBeGreaterThan(0);
        for (const svg of charts) {
          expect(svg).not.toContain(surgeonA.id);
          expect(svg).not.toContain(surgeonB.id);
          expect(svg).not.toMatch(/>(capsular|lesser_trochanter|preop|6w|1y)</);
        }
        expect(response.text).toContain('Filters');
        expect(response.text).toContain('Definitions');
        for (const [key, value] of Object.entries(q))
          expect(response.text).toContain(`<th>${key}</th><td>${value}</td>`);
        for (const text of mentions) expect(response.text).toContain(text);
      });
    }
  });

  describe('access and input', () => {
    it("counts only a surgeon's own cases in their outcomes report, and refuses another surgeon's", async () => {
      const response = await get('/api/v1/reports/outcomes', surgeonA.token).expect(200);
      expect(response.body.filters.surgeonId).toBe(surgeonA.id);
      expect(response.body.groups).toHaveLength(1);
      expect(byType(response.body.groups[0])).toEqual(byType(expectedGroup('all', FACTS.surgeonA)));
      // mHHS preop of A1 A2 A3 A4 A6: 66 55 66 55 77 → 63.8.
      expect(response.body.groups[0].proms.mhhs.baseline.mean).toBeCloseTo(63.8, 9);
      const own = await get('/api/v1/reports/outcomes', surgeonA.token, { surgeonId: surgeonA.id }).expect(200);
      expect(own.body.groups[0].cases).toBe(6);
      const denied = await get('/api/v1/reports/outcomes', surgeonA.token, { surgeonId: surgeonB.id }).expect(403);
      expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
      await get('/api/v1/reports/survival', surgeonB.token, { endpoint: 'recurrence', surgeonId: surgeonA.id }).expect(
        403,
      );
      const survival = await get('/api/v1/reports/survival', surgeonB.token, { endpoint: 'recurrence' }).expect(200);
      // B's only recurrence is B1's, on day 400.
      expect(survival.body.groups[0]).toMatchObject({ cases: 6, events: 1 });
    });

    it("shows every surgeon's cases to registry staff, quality reviewers and admin", async () => {
      for (const token of [staff.token, reviewer.token, admin]) {
        const response = await get('/api/v1/reports/outcomes', token).expect(200);
        expect(response.body.groups[0].cases).toBe(12);
        const forB = await get('/api/v1/reports/outcomes', token, { surgeonId: surgeonB.id }).expect(200);
        expect(forB.body.groups[0].cases).toBe(6);
      }
    });

    it('answers bad input with a 400 naming the field', async () => {
      const cases: Array<[string, Record<string, string>, string]> = [
        ['/api/v1/reports/outcomes', { groupBy: 'nonsense' }, 'groupBy'],
        ['/api/v1/reports/survival', { groupBy: 'releaseLocation' }, 'endpoint'],
        ['/api/v1/reports/survival', { endpoint: 'death' }, 'endpoint'],
        ['/api/v1/reports/funnel', {}, 'outcome'],
        ['/api/v1/reports/cusum', { outcome: 'complication_90d' }, 'surgeonId'],
        ['/api/v1/reports/cusum', { surgeonId: 'x', outcome: 'complication_90d', p0: '2' }, 'p0'],
        ['/api/v1/reports/outcomes', { releaseLocation: 'femoral' }, 'releaseLocation'],
        ['/api/v1/reports/outcomes', { from: '2023-02-30' }, 'from'],
      ];
      for (const [path, query, field] of cases) {
        const response = await get(path, reviewer.token, query);
        expect({ path, query, status: response.status }).toEqual({ path, query, status: 400 });
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      }
    });

    it('refuses every report without credentials', async () => {
      for (const path of [
        'outcomes',
        'outcomes.html',
        'survival?endpoint=recurrence',
        'funnel?outcome=complication_90d',
        `cusum?outcome=complication_90d&surgeonId=${surgeonA.id}`,
      ]) {
        const response = await t.http().get(`/api/v1/reports/${path}`);
        expect({ path, status: response.status }).toEqual({ path, status: 401 });
      }
    });
  });
});

// --- Assertion helpers -------------------------------------------------------------------------

function mapClose(values: Record<string, number>): Body {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, close(v)]));
}

function expectOrderedLimits(l: Body): void {
  expect(l.lower998).toBeLessThanOrEqual(l.lower95);
  expect(l.lower95).toBeLessThanOrEqual(l.upper95);
  expect(l.upper95).toBeLessThanOrEqual(l.upper998);
}

function expectCurve(curve: Body[], theta: number, maxN: number): void {
  expect(curve.length).toBeGreaterThan(1);
  expect(curve[0].n).toBe(1);
  expect(curve.at(-1)!.n).toBe(maxN);
  for (let i = 1; i < curve.length; i++) expect(curve[i].n).toBeGreaterThan(curve[i - 1].n);
  for (const point of curve) {
    expectOrderedLimits(point);
    expect(point).toMatchObject(mapClose(funnelLimits(point.n, theta)));
  }
}
