import { binomialCdf } from './special-functions.js';

// Funnel-plot control limits (Spiegelhalter 2005), exact binomial with interpolation:
// r = the smallest count with P(X ≤ r) ≥ p for X ~ Bin(n, θ);
// α = (P(X ≤ r) − p) / (P(X ≤ r) − P(X ≤ r − 1)); limit = (r − α) / n, kept within [0, 1] (for r = 0
// the formula can fall below 0: there is then no lower limit, and 0 is drawn).
export function binomialLimit(n: number, theta: number, p: number, cdf = binomialCdf(n, theta)): number {
  if (n === 0) return theta;
  let r = 0;
  while (r < n && cdf[r] < p) r++;
  const below = r === 0 ? 0 : cdf[r - 1];
  const alpha = cdf[r] === below ? 0 : (cdf[r] - p) / (cdf[r] - below);
  return Math.min(1, Math.max(0, (r - alpha) / n));
}

export interface FunnelLimits {
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

export const FUNNEL_TAILS = { lower95: 0.025, upper95: 0.975, lower998: 0.001, upper998: 0.999 } as const;

// All four limits in one walk up the binomial distribution, stopping at the 99.9th percentile:
// no array of n + 1 probabilities, so a funnel curve up to thousands of cases stays cheap.
export function funnelLimits(n: number, theta: number): FunnelLimits {
  if (n === 0) return { lower95: theta, upper95: theta, lower998: theta, upper998: theta };
  if (theta <= 0 || theta >= 1) {
    const cdf = binomialCdf(n, theta);
    return {
      lower95: binomialLimit(n, theta, FUNNEL_TAILS.lower95, cdf),
      upper95: binomialLimit(n, theta, FUNNEL_TAILS.upper95, cdf),
      lower998: binomialLimit(n, theta, FUNNEL_TAILS.lower998, cdf),
      upper998: binomialLimit(n, theta, FUNNEL_TAILS.upper998, cdf),
    };
  }
  const tails = [FUNNEL_TAILS.lower998, FUNNEL_TAILS.lower95, FUNNEL_TAILS.upper95, FUNNEL_TAILS.upper998];
  const limits: number[] = [];
  const logOdds = Math.log(theta) - Math.log1p(-theta);
  let logPmf = n * Math.log1p(-theta);
  let below: number;
  let cdf = 0;
  for (let r = 0; r <= n && limits.length < tails.length; r++) {
    if (r > 0) logPmf += Math.log(n - r + 1) - Math.log(r) + logOdds;
    below = cdf;
    cdf = Math.min(1, cdf + Math.exp(logPmf));
    while (limits.length < tails.length && (cdf >= tails[limits.length] || r === n)) {
      const p = tails[limits.length];
      const alpha = cdf === below ? 0 : (cdf - p) / (cdf - below);
      limits.push(Math.min(1, Math.max(0, (r - alpha) / n)));
    }
  }
  const [lower998, lower95, upper95, upper998] = limits;
  return { lower95, upper95, lower998, upper998 };
}

export type FunnelFlag = 'above_998' | 'above_95' | 'within' | 'below_95' | 'below_998';

// Where a unit's rate falls against its limits (a rate on a limit counts as within).
export function funnelFlag(rate: number, limits: FunnelLimits): FunnelFlag {
  if (rate > limits.upper998) return 'above_998';
  if (rate > limits.upper95) return 'above_95';
  if (rate < limits.lower998) return 'below_998';
  if (rate < limits.lower95) return 'below_95';
  return 'within';
}
