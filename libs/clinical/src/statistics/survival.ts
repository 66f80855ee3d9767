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

// Kaplan–Meier at each distinct observed day (events and censorings, as R's survfit lists them).
// Events on a day come before censorings on it: someone censored on day t was at risk on day t.
// Variance: Greenwood, σ² = Σ d/(n(n−d)) for log S; interval exp(−exp(log(−log S) ± z·σ/log S)),
// which is R's survfit(conf.type = "log-log").
export function kaplanMeier(observations: SurvivalObservation[], z = Z95): KaplanMeierRow[] {
  const byDay = new Map<number, { events: number; censored: number }>();
  for (const o of observations) {
    const entry = byDay.get(o.time) ?? { events: 0, censored: 0 };
    if (o.event) entry.events += 1;
    else entry.censored += 1;
    byDay.set(o.time, entry);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  let atRisk = observations.length;
  let survival = 1;
  let greenwood = 0;
  const rows: KaplanMeierRow[] = [];
  for (const day of days) {
    const { events, censored } = byDay.get(day)!;
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

// Log-rank test between groups: the chi-square of R's survdiff (rho = 0) on groups − 1 degrees of
// freedom. Null when fewer than two groups have anyone at risk, or there is no event at all.
export function logRank(groups: SurvivalObservation[][]): LogRankResult | null {
  const live = groups.filter((g) => g.length > 0);
  if (live.length < 2) return null;
  const k = live.length;
  const eventDays = [...new Set(live.flatMap((g) => g.filter((o) => o.event).map((o) => o.time)))].sort((a, b) => a - b);
  if (eventDays.length === 0) return null;
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const variance = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const day of eventDays) {
    const atRisk = live.map((g) => g.filter((o) => o.time >= day).length);
    const deaths = live.map((g) => g.filter((o) => o.event && o.time === day).length);
    const n = atRisk.reduce((a, b) => a + b, 0);
    const d = deaths.reduce((a, b) => a + b, 0);
    for (let i = 0; i < k; i++) {
      observed[i] += deaths[i];
      expected[i] += (d * atRisk[i]) / n;
      if (n > 1) {
        for (let j = 0; j < k; j++) {
          const share = atRisk[i] / n;
          variance[i][j] += (d * share * ((i === j ? 1 : 0) - atRisk[j] / n) * (n - d)) / (n - 1);
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
