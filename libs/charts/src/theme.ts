// Shared look of every chart: readable in print (series also differ by dash and shape) and never cutting
// a legend label short (Vega-Lite's default labelLimit truncates at 160 px).
import type { TopLevelSpec } from 'vega-lite';

type Config = NonNullable<TopLevelSpec['config']>;

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
export const DASHES: number[][] = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [1, 3],
  [10, 4],
  [4, 4],
  [3, 6],
];

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export const CONFIG: Config = {
  // The chart is one figure, named by its caption, with its figures in a table beside it: its marks and axes stay
  // out of the accessibility tree (Vega's per-mark ARIA roles give screen readers hundreds of unnamed images).
  aria: false,
  font: 'system-ui, sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, orient: 'bottom', direction: 'vertical' },
  title: { fontSize: 14, anchor: 'start' },
};

export const WIDTH = 640;
