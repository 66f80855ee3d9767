// PROM means by timepoint (preoperative to 5 years, in words on the axis), one line per group, with the
// instrument's PASS (an absolute score) and, for a single group, baseline + MCID where the literature gives them.
import { PROM_THRESHOLDS, SCHEDULED_TIMEPOINTS } from '@ilr/clinical';
import type { TopLevelSpec } from 'vega-lite';
import { groupLabeller, INSTRUMENT_WORDS, TIMEPOINT_WORDS } from './labels.js';
import type { ChartOptions } from './options.js';
import { CONFIG, DASHES, PALETTE, SCHEMA, WIDTH } from './theme.js';
import type { OutcomesReport } from './types.js';

export const PROM_AXIS = SCHEDULED_TIMEPOINTS.map((t) => TIMEPOINT_WORDS[t]);

export function promMeansSpec(report: OutcomesReport, instrument: string, options: ChartOptions = {}): TopLevelSpec {
  const label = groupLabeller(report.groups, report.filters, options.surgeonLabel);
  const groups = report.groups.map((g) => label(g.key));
  const name = INSTRUMENT_WORDS[instrument] ?? instrument;
  const means = report.groups.flatMap((g) => {
    const prom = g.proms[instrument];
    if (!prom) return [];
    return SCHEDULED_TIMEPOINTS.flatMap((t) => {
      const figures = t === 'preop' ? prom.baseline : prom.timepoints[t];
      if (!figures || figures.mean === null) return [];
      return [{ group: label(g.key), timepoint: TIMEPOINT_WORDS[t], mean: figures.mean, n: figures.n }];
    });
  });
  const thresholds = PROM_THRESHOLDS.filter((t) => t.instrument === instrument);
  const baseline = report.groups.length === 1 ? report.groups[0].proms[instrument]?.baseline.mean : null;
  const references = [
    ...thresholds.map((t) => ({ reference: 'PASS', timepoint: TIMEPOINT_WORDS[t.timepoint], score: t.pass })),
    ...(baseline === null || baseline === undefined
      ? []
      : thresholds.map((t) => ({
          reference: 'Baseline + MCID',
          timepoint: TIMEPOINT_WORDS[t.timepoint],
          score: Math.min(100, baseline + t.mcid),
        }))),
  ];
  const x = {
    field: 'timepoint',
    type: 'ordinal' as const,
    title: 'Timepoint',
    scale: { domain: PROM_AXIS },
    axis: { labelAngle: 0 },
  };
  const y = { type: 'quantitative' as const, title: `${name} mean score`, scale: { domain: [0, 100] } };
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      name: 'prom_lines',
      data: { values: means },
      mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
      encoding: {
        x,
        y: { ...y, field: 'mean' },
        color: { field: 'group', type: 'nominal', title: null, scale: { domain: groups, range: PALETTE } },
        strokeDash: { field: 'group', type: 'nominal', title: null, scale: { domain: groups, range: DASHES } },
        tooltip: [
          { field: 'group', title: 'Group' },
          { field: 'timepoint', title: 'Timepoint' },
          { field: 'mean', title: 'Mean', format: '.1f' },
          { field: 'n', title: 'Patients' },
        ],
      },
    },
  ];
  if (references.length)
    layers.push(
      {
        name: 'prom_references',
        data: { values: references },
        mark: { type: 'line', color: '#555', strokeDash: [2, 3], strokeWidth: 1.5 },
        encoding: { x, y: { ...y, field: 'score' }, detail: { field: 'reference', type: 'nominal' } },
      },
      {
        name: 'prom_reference_labels',
        data: { values: references.filter((r) => r.timepoint === TIMEPOINT_WORDS['5y']) },
        mark: { type: 'text', align: 'left', dx: 6, fontSize: 10, color: '#333' },
        encoding: { x, y: { ...y, field: 'score' }, text: { field: 'reference' } },
      },
    );
  return {
    $schema: SCHEMA,
    description: `${name} mean score by timepoint and group${references.length ? ', with the PASS threshold' : ''}`,
    config: CONFIG,
    width: options.width ?? WIDTH,
    height: 260,
    layer: layers,
  };
}
