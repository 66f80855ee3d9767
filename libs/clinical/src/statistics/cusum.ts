// Bernoulli CUSUM for a constant risk (Steiner et al. 2000): with odds ratio R and in-control rate
// p0, each case adds W = y·ln R − ln(1 − p0 + R·p0); X = max(0, X + W); X ≥ h signals, then X restarts at 0.
export interface CusumPoint<T> {
  item: T;
  event: boolean;
  weight: number;
  value: number;
  signal: boolean;
}

export function bernoulliCusum<T>(
  items: Array<{ item: T; event: boolean }>,
  p0: number,
  oddsRatio: number,
  h: number,
): CusumPoint<T>[] {
  const failure = Math.log(oddsRatio) - Math.log(1 - p0 + oddsRatio * p0);
  const success = -Math.log(1 - p0 + oddsRatio * p0);
  let x = 0;
  return items.map(({ item, event }) => {
    const weight = event ? failure : success;
    const value = Math.max(0, x + weight);
    const signal = value >= h;
    x = signal ? 0 : value;
    return { item, event, weight, value, signal };
  });
}
