// Numerical building blocks for the statistics: log-gamma, the regularised incomplete gamma
// function (for chi-square p-values) and binomial probabilities. Double precision throughout.

// Lanczos approximation (g = 7, n = 9), relative error below 1e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

// Regularised lower incomplete gamma P(a, x), by its series for x < a + 1, else by the continued
// fraction for Q = 1 − P (Numerical Recipes §6.2). Returns [P, Q] so that small tails keep precision.
function incompleteGamma(a: number, x: number): [number, number] {
  if (x <= 0) return [0, 1];
  const lead = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    const p = sum * Math.exp(lead);
    return [p, 1 - p];
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  const q = Math.exp(lead) * h;
  return [1 - q, q];
}

// Upper tail of the chi-square distribution: P(X ≥ x) for `df` degrees of freedom.
export function chiSquareUpperTail(x: number, df: number): number {
  if (x <= 0) return 1;
  return incompleteGamma(df / 2, x / 2)[1];
}

export function binomialLogPmf(k: number, n: number, p: number): number {
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

// P(X ≤ k) for X ~ Bin(n, p), k from 0 to n, as one cumulative array. The log-pmf comes from one
// log-gamma evaluation and then the ratio pmf(k+1)/pmf(k) = (n−k)/(k+1) · p/(1−p), so a funnel
// curve of a few hundred n costs microseconds, not a log-gamma per term.
export function binomialCdf(n: number, p: number): number[] {
  const cdf = new Array<number>(n + 1);
  if (p <= 0 || p >= 1) {
    for (let k = 0; k <= n; k++) cdf[k] = p <= 0 || k === n ? 1 : 0;
    return cdf;
  }
  const logOdds = Math.log(p) - Math.log1p(-p);
  let logPmf = n * Math.log1p(-p);
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logPmf += Math.log(n - k + 1) - Math.log(k) + logOdds;
    sum += Math.exp(logPmf);
    cdf[k] = Math.min(1, sum);
    // Past the mean, once the remaining mass is below double precision, the rest is 1.
    if (k > n * p && 1 - sum < 1e-16) {
      cdf.fill(1, k + 1);
      break;
    }
  }
  return cdf;
}
