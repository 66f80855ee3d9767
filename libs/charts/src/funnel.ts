// Funnel plot: each surgeon's rate against their number of cases, the target rate, and the 95% and 99.8%
// control limits; surgeons outside the limits are marked by colour and shape and named beside their point.
import type { TopLevelSpec } from 'vega-lite';
import { OUTCOME_WORDS, percent, surgeonLabels } from './labels.js';
import type { ChartOptions } from './options.js';
import { CONFIG, SCHEMA, WIDTH } from './theme.js';
import type { FunnelReport } from './types.js';

export const POSITION_WORDS: Record<string, string> = {
  above_998: 'Above the 99.8% limit',
  above_95: 'Above the 95% limit',
  within: 'Within the 95% limits',
  below_95: 'Below the 95% limit',
  below_998: 'Below the 99.8% limit',
};
const POSITIONS = Object.keys(POSITION_WORDS);
const POSITION_COLORS = ['#d62728', '#ff7f0e', '#1f77b4', '#2ca02c', '#006d2c'];
const POSITION_SHAPES = ['square', 'diamond', 'circle', 'triangle-up', 'cross'];

export function funnelSpec(report: FunnelReport, options: ChartOptions = {}): TopLevelSpec {
  const name = surgeonLabels(
    report.surgeons.map((s) => ({ id: s.surgeonId, surgeonLabel: s.surgeonLabel })),
    options.surgeonLabel,
  );
  const outcome = String(report.filters?.outcome ?? '');
  const outcomeWords = OUTCOME_WORDS[outcome] ?? outcome;
  const maxN = Math.max(10, report.curve.at(-1)?.n ?? 0, ...report.surgeons.map((s) => s.cases));
  const maxRate = Math.min(
    1,
    Math.max(
      0.1,
      ...report.surgeons.map((s) => s.rate),
      ...report.curve.filter((c) => c.n >= 5).map((c) => c.upper998),
    ),
  );
  const limits = report.curve.flatMap((c) => [
    { n: c.n, line: '95% limits', side: 'lower', value: c.lower95 },
    { n: c.n, line: '95% limits', side: 'upper', value: Math.min(c.upper95, maxRate) },
    { n: c.n, line: '99.8% limits', side: 'lower', value: c.lower998 },
    { n: c.n, line: '99.8% limits', side: 'upper', value: Math.min(c.upper998, maxRate) },
  ]);
  const surgeons = report.surgeons.map((s) => ({
    surgeon: `${name(s.surgeonId)}${s.self ? ' (you)' : ''}`,
    cases: s.cases,
    events: s.events,
    rate: Math.min(s.rate, maxRate),
    rateText: percent(s.rate),
    position: POSITION_WORDS[s.position] ?? s.position,
    marked: s.alert || s.outlier || s.self,
  }));
  const x = {
    type: 'quantitative' as const,
    title: 'Evaluable cases',
    scale: { domain: [0, maxN], nice: false },
    axis: { tickMinStep: 1, tickCount: 10 },
  };
  const y = {
    type: 'quantitative' as const,
    title: `${outcomeWords} (rate)`,
    axis: { format: '.0%' },
    scale: { domain: [0, maxRate], nice: false },
  };
  const lineDomain = [`Target ${percent(report.target)}`, '95% limits', '99.8% limits'];
  const dash = {
    type: 'nominal' as const,
    title: null,
    scale: {
      domain: lineDomain,
      range: [
        [1, 0],
        [6, 3],
        [2, 2],
      ],
    },
  };
  return {
    $schema: SCHEMA,
    description: `Funnel plot of ${outcomeWords.toLowerCase()} by surgeon against the target rate with 95% and 99.8% limits`,
    config: CONFIG,
    width: options.width ?? WIDTH,
    height: 320,
    resolve: { scale: { color: 'independent', shape: 'independent' } },
    layer: [
      {
        name: 'funnel_limits',
        data: { values: limits },
        mark: { type: 'line', color: '#555', strokeWidth: 1.5, clip: true },
        encoding: {
          x: { ...x, field: 'n' },
          y: { ...y, field: 'value' },
          strokeDash: { ...dash, field: 'line' },
          detail: { field: 'side', type: 'nominal' },
        },
      },
      {
        name: 'funnel_target',
        data: { values: [{ target: report.target, line: lineDomain[0] }] },
        mark: { type: 'rule', color: '#000', strokeWidth: 1.5 },
        encoding: { y: { field: 'target', type: 'quantitative' }, strokeDash: { ...dash, field: 'line' } },
      },
      {
        name: 'funnel_surgeons',
        data: { values: surgeons },
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: {
          x: { ...x, field: 'cases' },
          y: { ...y, field: 'rate' },
          color: {
            field: 'position',
            type: 'nominal',
            title: null,
            scale: { domain: POSITIONS.map((p) => POSITION_WORDS[p]), range: POSITION_COLORS },
          },
          shape: {
            field: 'position',
            type: 'nominal',
            title: null,
            scale: { domain: POSITIONS.map((p) => POSITION_WORDS[p]), range: POSITION_SHAPES },
          },
          tooltip: [
            { field: 'surgeon', title: 'Surgeon' },
            { field: 'cases', title: 'Cases' },
            { field: 'events', title: 'Events' },
            { field: 'rateText', title: 'Rate' },
            { field: 'position', title: 'Position' },
          ],
        },
      },
      {
        name: 'funnel_names',
        data: { values: surgeons },
        transform: [{ filter: 'datum.marked' }],
        mark: { type: 'text', align: 'left', dx: 7, fontSize: 11 },
        encoding: { x: { ...x, field: 'cases' }, y: { ...y, field: 'rate' }, text: { field: 'surgeon' } },
      },
    ],
  };
}
