import { chiSquareUpperTail } from './special-functions.js';
import { Z95 } from './proportions.js';

export interface SurvivalObservation {
  // Days from surgery to the event, or to censoring (last contact).
  time: number;
  event: boolean;
}

export interface KaplanMeierRow {
  day: number;
  atRisk: number;
  events: number;
  censored: number;
  survival: number;
  // 95% interval on the log-log scale; null where R gives NA (survival 1 or 0).
  lower95: number | null;
  upper95: number | null;
}

// Events and censorings per day: what PostgreSQL aggregates, and all that KM and log-rank need.
export interface DayCounts {
  day: number;
  events: number;
  censored: number;
}

export function countByDay(observations: SurvivalObservation[]): DayCounts[] {
  const byDay = new Map<number, DayCounts>();
  for (const o of observations) {
    const entry = byDay.get(o.time) ?? { day: o.time, events: 0, censored: 0 };
    if (o.event) entry.events += 1;
    else entry.censored += 1;
    byDay.set(o.time, entry);
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day);
}

// Kaplan–Meier at each distinct observed day (events and censorings, as R's survfit lists them).
// Events on a day come before censorings on it: someone censored on day t was at risk on day t.
// Variance: Greenwood, σ² = Σ d/(n(n−d)) for log S; interval exp(−exp(log(−log S) ± z·σ/log S)),
// which is R's survfit(conf.type = "log-log").
export function kaplanMeier(observations: SurvivalObservation[], z = Z95): KaplanMeierRow[] {
  return kaplanMeierFromCounts(countByDay(observations), z);
}

export function kaplanMeierFromCounts(counts: DayCounts[], z = Z95): KaplanMeierRow[] {
  const days = [...counts].sort((a, b) => a.day - b.day);
  let atRisk = days.reduce((sum, c) => sum + c.events + c.censored, 0);
  let survival = 1;
  let greenwood = 0;
  const rows: KaplanMeierRow[] = [];
  for (const { day, events, censored } of days) {
    if (events > 0) {
      survival *= 1 - events / atRisk;
      greenwood += atRisk === events ? Infinity : events / (atRisk * (atRisk - events));
    }
    let lower95: number | null = null;
    let upper95: number | null = null;
    if (survival > 0 && survival < 1 && Number.isFinite(greenwood)) {
      const logS = Math.log(survival);
      const centre = Math.log(-logS);
      const spread = (z * Math.sqrt(greenwood)) / logS;
      const a = Math.exp(-Math.exp(centre + spread));
      const b = Math.exp(-Math.exp(centre - spread));
      lower95 = Math.min(a, b);
      upper95 = Math.max(a, b);
    }
    rows.push({ day, atRisk, events, censored, survival, lower95, upper95 });
    atRisk -= events + censored;
  }
  return rows;
}

export interface LogRankResult {
  chiSquare: number;
  df: number;
  pValue: number;
  observed: number[];
  expected: number[];
}

// Solves A x = b by Gaussian elimination with partial pivoting (A small and symmetric).
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-12) return null;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

export function logRank(groups: SurvivalObservation[][]): LogRankResult | null {
  return logRankFromCounts(groups.map(countByDay));
}

// Log-rank test between groups: the chi-square of R's survdiff (rho = 0) on groups − 1 degrees of
// freedom. Null when fewer than two groups have anyone in them, or there is no event at all.
export function logRankFromCounts(groups: DayCounts[][]): LogRankResult | null {
  const live = groups.filter((g) => g.some((c) => c.events + c.censored > 0));
  if (live.length < 2) return null;
  const k = live.length;
  const eventDays = [...new Set(live.flatMap((g) => g.filter((c) => c.events > 0).map((c) => c.day)))].sort(
    (a, b) => a - b,
  );
  if (eventDays.length === 0) return null;
  // Walk every group's days in order, keeping its number at risk.
  const sorted = live.map((g) => [...g].sort((a, b) => a.day - b.day));
  const atRisk = sorted.map((g) => g.reduce((sum, c) => sum + c.events + c.censored, 0));
  const cursor = new Array<number>(k).fill(0);
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const variance = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const day of eventDays) {
    const deaths = new Array<number>(k).fill(0);
    for (let i = 0; i < k; i++) {
      // Leave the risk set for every earlier day.
      while (cursor[i] < sorted[i].length && sorted[i][cursor[i]].day < day) {
        atRisk[i] -= sorted[i][cursor[i]].events + sorted[i][cursor[i]].censored;
        cursor[i]++;
      }
      if (cursor[i] < sorted[i].length && sorted[i][cursor[i]].day === day) deaths[i] = sorted[i][cursor[i]].events;
    }
    const n = atRisk.reduce((a, b) => a + b, 0);
    const d = deaths.reduce((a, b) => a + b, 0);
    for (let i = 0; i < k; i++) {
      observed[i] += deaths[i];
      expected[i] += (d * atRisk[i]) / n;
      if (n > 1) {
        for (let j = 0; j < k; j++) {
          variance[i][j] += (d * (atRisk[i] / n) * ((i === j ? 1 : 0) - atRisk[j] / n) * (n - d)) / (n - 1);
        }
      }
    }
  }
  // Drop the last group (the covariance matrix has rank k − 1), as survdiff does.
  const diff = observed.slice(0, k - 1).map((o, i) => o - expected[i]);
  const reduced = variance.slice(0, k - 1).map((row) => row.slice(0, k - 1));
  const x = solve(reduced, diff);
  if (!x) return null;
  const chiSquare = diff.reduce((sum, value, i) => sum + value * x[i], 0);
  return { chiSquare, df: k - 1, pValue: chiSquareUpperTail(chiSquare, k - 1), observed, expected };
}
