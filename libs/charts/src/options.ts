import type { SurgeonLabel } from './types.js';

export interface ChartOptions {
  // Names a surgeon (by id; null: another, unnamed surgeon). Default: the report's `surgeonLabel`, else "Surgeon A"…
  surgeonLabel?: SurgeonLabel;
  // Width of the plotting area in pixels (the legend and axes come on top).
  width?: number;
}
