// Proportions with the Wilson score interval (DOMAIN.md § Outcome statistics).
export const Z95 = 1.959963984540054;

export interface Proportion {
  numerator: number;
  denominator: number;
  rate: number | null;
  lower95: number | null;
  upper95: number | null;
}

export function wilson(numerator: number, denominator: number, z = Z95): Proportion {
  if (denominator === 0) return { numerator, denominator, rate: null, lower95: null, upper95: null };
  const p = numerator / denominator;
  const z2 = z * z;
  const scale = 1 + z2 / denominator;
  const centre = (p + z2 / (2 * denominator)) / scale;
  const half = (z * Math.sqrt((p * (1 - p)) / denominator + z2 / (4 * denominator * denominator))) / scale;
  // At the boundaries the bounds are exactly 0 and 1 (as in R's prop.test); in floating point
  // centre - half leaves a residue such as 1.08e-19 for 0/2839.
  return {
    numerator,
    denominator,
    rate: p,
    lower95: numerator === 0 ? 0 : Math.max(0, centre - half),
    upper95: numerator === denominator ? 1 : Math.min(1, centre + half),
  };
}
