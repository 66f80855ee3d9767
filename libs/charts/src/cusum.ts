// Bernoulli CUSUM: the statistic after each case in surgery-date order, the decision threshold h, and the
// cases where it signalled.
import type { TopLevelSpec } from 'vega-lite';
import { OUTCOME_WORDS } from './labels.js';
import type { ChartOptions } from './options.js';
import { CONFIG, SCHEMA, WIDTH } from './theme.js';
import type { CusumReport } from './types.js';

export function cusumSpec(report: CusumReport, options: ChartOptions = {}): TopLevelSpec {
  const outcome = String(report.filters?.outcome ?? '');
  const outcomeWords = OUTCOME_WORDS[outcome] ?? outcome;
  const surgeonId = typeof report.filters?.surgeonId === 'string' ? report.filters.surgeonId : null;
  const surgeon = options.surgeonLabel && surgeonId ? options.surgeonLabel(surgeonId) : (report.surgeonLabel ?? null);
  const path = [
    { case: 0, value: 0, registryCode: '', surgeryDate: '', signal: false },
    ...report.points.map((p, i) => ({
      case: i + 1,
      value: p.value,
      registryCode: p.registryCode,
      surgeryDate: p.surgeryDate,
      signal: p.signal,
    })),
  ];
  const maxY = Math.max(report.h * 1.2, ...report.points.map((p) => p.value));
  const x = {
    field: 'case',
    type: 'quantitative' as const,
    title: 'Cases in surgery-date order',
    scale: { domain: [0, Math.max(1, report.points.length)], nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  };
  const y = { field: 'value', type: 'quantitative' as const, title: 'CUSUM', scale: { domain: [0, maxY] } };
  const legend = { domain: ['CUSUM', `Threshold h = ${report.h}`, 'Signal'] };
  return {
    $schema: SCHEMA,
    description: `Bernoulli CUSUM of ${outcomeWords.toLowerCase()}${surgeon ? ` for ${surgeon}` : ''}: threshold h = ${report.h}, ${report.points.filter((p) => p.signal).length} signal(s)`,
    config: CONFIG,
    width: options.width ?? WIDTH,
    height: 280,
    layer: [
      {
        name: 'cusum_path',
        data: { values: path },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          color: {
            datum: 'CUSUM',
            type: 'nominal',
            title: null,
            scale: { domain: legend.domain, range: ['#1f77b4', '#d62728', '#d62728'] },
          },
        },
      },
      {
        name: 'cusum_threshold',
        data: { values: [{ h: report.h }] },
        mark: { type: 'rule', strokeDash: [6, 3], strokeWidth: 1.5 },
        encoding: { y: { field: 'h', type: 'quantitative' }, color: { datum: legend.domain[1], type: 'nominal' } },
      },
      {
        name: 'cusum_signals',
        data: { values: path },
        transform: [{ filter: 'datum.signal' }],
        mark: { type: 'point', filled: true, size: 60, shape: 'diamond' },
        encoding: {
          x,
          y,
          color: { datum: legend.domain[2], type: 'nominal' },
          tooltip: [
            { field: 'registryCode', title: 'Case' },
            { field: 'surgeryDate', title: 'Surgery date' },
            { field: 'value', title: 'CUSUM', format: '.2f' },
          ],
        },
      },
    ],
  };
}
