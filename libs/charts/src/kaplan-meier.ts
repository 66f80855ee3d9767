// Kaplan–Meier curves: a step line per group from (0, 100%), the log-log 95% band as a stepped area,
// censorings as ticks on the curve, and the number at risk under it on the same day axis.
import type { TopLevelSpec } from 'vega-lite';
import { groupLabeller, OUTCOME_WORDS } from './labels.js';
import type { ChartOptions } from './options.js';
import { CONFIG, DASHES, PALETTE, SCHEMA, WIDTH } from './theme.js';
import type { SurvivalGroup, SurvivalReport } from './types.js';

export const AT_RISK_DAYS = [0, 90, 180, 365, 730, 1095, 1826];

// Cases still at risk on a day: those of the first row on or after it (0 after the last row).
export function atRisk(group: SurvivalGroup, day: number): number {
  return group.curve.find((r) => r.day >= day)?.atRisk ?? 0;
}

export function kaplanMeierSpec(report: SurvivalReport, options: ChartOptions = {}): TopLevelSpec {
  const label = groupLabeller(report.groups, report.filters, options.surgeonLabel);
  const endpoint = String(report.filters?.endpoint ?? '');
  const endpointWords = (OUTCOME_WORDS[endpoint] ?? endpoint).toLowerCase();
  const legendOf = (g: SurvivalGroup) => `${label(g.key)} (${g.cases} cases, ${g.events} events)`;
  const groups = report.groups.map(legendOf);
  const maxDay = Math.max(30, ...report.groups.flatMap((g) => g.curve.map((r) => r.day)));
  const minS = Math.min(0.5, ...report.groups.flatMap((g) => g.curve.map((r) => r.lower95 ?? r.survival)));
  const curve = report.groups.flatMap((g) => [
    { group: legendOf(g), day: 0, survival: 1, lower: 1, upper: 1, censored: 0 },
    ...g.curve.map((r) => ({
      group: legendOf(g),
      day: r.day,
      survival: r.survival,
      lower: r.lower95 ?? r.survival,
      upper: r.upper95 ?? r.survival,
      censored: r.censored,
    })),
  ]);
  const days = AT_RISK_DAYS.filter((d) => d <= maxDay);
  const table = report.groups.flatMap((g) =>
    days.map((day) => ({ group: legendOf(g), name: label(g.key), day, atRisk: atRisk(g, day) })),
  );
  const width = options.width ?? WIDTH;
  const x = {
    field: 'day',
    type: 'quantitative' as const,
    title: 'Days after surgery',
    scale: { domain: [0, maxDay], nice: false },
  };
  const color = {
    field: 'group',
    type: 'nominal' as const,
    title: null,
    scale: { domain: groups, range: PALETTE },
    // The legend shows the curves' lines, not the pale band drawn first.
    legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2, symbolFillColor: null },
  };
  return {
    $schema: SCHEMA,
    description: `Kaplan–Meier curves of survival free of ${endpointWords} by group, with 95% intervals and the number at risk`,
    config: CONFIG,
    vconcat: [
      {
        width,
        height: 300,
        data: { values: curve },
        encoding: { x: { ...x, axis: { values: days } } },
        layer: [
          {
            name: 'km_band',
            mark: { type: 'area', interpolate: 'step-after', opacity: 0.12 },
            encoding: {
              y: { field: 'lower', type: 'quantitative' },
              y2: { field: 'upper' },
              color,
            },
          },
          {
            name: 'km_curve',
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
            encoding: {
              y: {
                field: 'survival',
                type: 'quantitative',
                title: `Free of ${endpointWords}`,
                axis: { format: '.0%' },
                scale: { domain: [Math.max(0, Math.floor(minS * 10) / 10), 1] },
              },
              color,
              strokeDash: { field: 'group', type: 'nominal', title: null, scale: { domain: groups, range: DASHES } },
            },
          },
          {
            name: 'km_censored',
            transform: [{ filter: 'datum.censored > 0' }],
            mark: { type: 'tick', orient: 'vertical', size: 8, thickness: 1.5 },
            encoding: { y: { field: 'survival', type: 'quantitative' }, color },
          },
        ],
      },
      {
        name: 'km_at_risk',
        title: { text: 'Number at risk', fontSize: 12, fontWeight: 'normal' },
        width,
        data: { values: table },
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          x: { ...x, axis: null },
          y: {
            field: 'name',
            type: 'nominal',
            title: null,
            sort: report.groups.map((g) => label(g.key)),
            axis: { domain: false, ticks: false, labelPadding: 16 },
          },
          text: { field: 'atRisk', type: 'quantitative' },
          color,
        },
      },
    ],
    resolve: { scale: { x: 'shared' } },
  };
}
