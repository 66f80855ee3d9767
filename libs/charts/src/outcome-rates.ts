// Outcome rates with their Wilson 95% intervals: one row per outcome (in words), one marker per group.
import type { TopLevelSpec } from 'vega-lite';
import { complicationWords, groupLabeller, percent } from './labels.js';
import type { ChartOptions } from './options.js';
import { CONFIG, PALETTE, SCHEMA } from './theme.js';
import type { OutcomesGroup, OutcomesReport, Proportion } from './types.js';

export type RateMeasure = 'outcomes' | 'complications';

export interface RateRow {
  outcome: string;
  group: string;
  rate: number;
  lower: number;
  upper: number;
  text: string;
}

const OUTCOMES: Array<[string, (g: OutcomesGroup) => Proportion]> = [
  ['Recurrence', (g) => g.recurrence],
  ['Reoperation', (g) => g.reoperation],
  ['Conversion to arthroplasty', (g) => g.conversionToArthroplasty],
];

// The outcomes a chart shows: recurrence, reoperation and conversion, or every complication type any group had.
export function rateRows(report: OutcomesReport, measure: RateMeasure, options: ChartOptions = {}): RateRow[] {
  const label = groupLabeller(report.groups, report.filters, options.surgeonLabel);
  const measures: Array<[string, (g: OutcomesGroup) => Proportion | undefined]> =
    measure === 'outcomes'
      ? OUTCOMES
      : (report.groups[0]?.complications ?? [])
          .map((c) => c.type)
          .filter((type) =>
            report.groups.some((g) => (g.complications.find((c) => c.type === type)?.numerator ?? 0) > 0),
          )
          .map((type) => [complicationWords(type), (g) => g.complications.find((c) => c.type === type)]);
  return measures.flatMap(([outcome, of]) =>
    report.groups.flatMap((g) => {
      const p = of(g);
      if (!p || p.rate === null) return [];
      return [
        {
          outcome,
          group: label(g.key),
          rate: p.rate,
          lower: p.lower95 ?? p.rate,
          upper: p.upper95 ?? p.rate,
          text: `${p.numerator} of ${p.denominator}: ${percent(p.rate)} (${percent(p.lower95)}–${percent(p.upper95)})`,
        },
      ];
    }),
  );
}

export function outcomeRatesSpec(
  report: OutcomesReport,
  measure: RateMeasure = 'outcomes',
  options: ChartOptions = {},
): TopLevelSpec {
  const label = groupLabeller(report.groups, report.filters, options.surgeonLabel);
  const groups = report.groups.map((g) => label(g.key));
  const rows = rateRows(report, measure, options);
  const outcomes = [...new Set(rows.map((r) => r.outcome))];
  const maxUpper = Math.max(0.05, ...rows.map((r) => r.upper));
  const y = { field: 'outcome', type: 'nominal' as const, title: null, sort: outcomes };
  const yOffset = { field: 'group', type: 'nominal' as const, sort: groups };
  const x = {
    type: 'quantitative' as const,
    title: 'Rate (95% Wilson interval)',
    axis: { format: '.0%' },
    scale: { domain: [0, Math.min(1, maxUpper * 1.05)], nice: false },
  };
  const color = { field: 'group', type: 'nominal' as const, title: null, scale: { domain: groups, range: PALETTE } };
  return {
    $schema: SCHEMA,
    description: `${measure === 'outcomes' ? 'Recurrence, reoperation and conversion' : 'Complication'} rates with 95% Wilson intervals by group`,
    config: CONFIG,
    width: options.width ?? 480,
    height: { step: Math.max(10, 12 * groups.length) },
    data: { values: rows },
    encoding: { y, yOffset },
    layer: [
      {
        name: 'rates_interval',
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x: { ...x, field: 'lower' }, x2: { field: 'upper' }, color },
      },
      {
        name: 'rates_point',
        mark: { type: 'point', filled: true, size: 40, opacity: 1 },
        encoding: {
          x: { ...x, field: 'rate' },
          color,
          shape: { field: 'group', type: 'nominal', title: null, sort: groups },
          tooltip: [
            { field: 'outcome', title: 'Outcome' },
            { field: 'group', title: 'Group' },
            { field: 'text', title: 'Rate' },
          ],
        },
      },
    ],
  };
}
