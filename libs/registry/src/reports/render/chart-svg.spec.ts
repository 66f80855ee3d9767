import { cusumSpec, funnelSpec, kaplanMeierSpec, outcomeRatesSpec, promMeansSpec } from '@ilr/charts';
import { COMPLICATION_TYPE, TIMEPOINTS } from '@ilr/clinical';
import {
  cusumReport,
  funnelReport,
  outcomesReport,
  SURGEON_IDS,
  survivalReport,
} from '../../../../charts/src/testing/fixtures.js';
import { chartSvg } from './chart-svg.js';

// The items (paths, texts) of every mark group a chart layer named `name` drew.
function markGroups(svg: string, name: string): string[][] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'g'))];
  return groups.map(([, inner]) =>
    [...inner.matchAll(/<(path|text|line)\b[^>]*?(?:\/>|>[^<]*<\/\1>)/g)].map((m) => m[0]),
  );
}

// Vertical moves of a path: where a step curve drops.
function steps(d: string): number {
  const points = [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map(([, x, y]) => [Number(x), Number(y)]);
  return points.filter(([x, y], i) => i > 0 && x === points[i - 1][0] && y !== points[i - 1][1]).length;
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, text]) => text);

describe('charts drawn as SVG on the server', () => {
  it('draws one Kaplan–Meier step path per group, with a step per day with events, and the number at risk', async () => {
    const report = survivalReport();
    const svg = await chartSvg(kaplanMeierSpec(report), 'Kaplan–Meier curves');
    expect(svg).toMatch(
      /^<svg [^>]*role="img" aria-label="Kaplan–Meier curves"[^>]*><title>Kaplan–Meier curves<\/title>/,
    );
    const curves = markGroups(svg, 'km_curve');
    expect(curves).toHaveLength(report.groups.length);
    curves.forEach((paths, i) => {
      expect(paths).toHaveLength(1);
      const d = /\bd="([^"]+)"/.exec(paths[0])![1];
      expect(steps(d)).toBe(report.groups[i].curve.filter((r) => r.events > 0).length);
      expect(steps(d)).toBeGreaterThan(0);
    });
    // One band per group, a tick per day with censorings.
    expect(markGroups(svg, 'km_band')).toHaveLength(report.groups.length);
    expect(markGroups(svg, 'km_censored').flat()).toHaveLength(
      report.groups.flatMap((g) => g.curve.filter((r) => r.censored > 0)).length,
    );
    const atRisk = markGroups(svg, 'km_at_risk').flat();
    expect(atRisk.map((t) => />([^<]*)</.exec(t)![1])).toContain(String(report.groups[0].curve[0].atRisk));
    // Group labels in words, the whole legend label (none cut short).
    expect(texts(svg)).toContain('Capsular (transcapsular) (8 cases, 4 events)');
    expect(texts(svg)).toContain('At the lesser trochanter');
    expect(svg).not.toContain('…');
  });

  it('draws one funnel point per surgeon, names the outliers, and never shows an id', async () => {
    const report = funnelReport();
    const svg = await chartSvg(funnelSpec(report), 'Funnel plot');
    expect(markGroups(svg, 'funnel_surgeons').flat()).toHaveLength(report.surgeons.length);
    const outliers = report.surgeons.filter((s) => s.outlier);
    expect(outliers.length).toBeGreaterThan(0);
    const names = markGroups(svg, 'funnel_names')
      .flat()
      .map((t) => />([^<]*)</.exec(t)![1]);
    expect(names).toEqual(report.surgeons.flatMap((s, i) => (s.alert || s.outlier ? [`Surgeon ${'ABCD'[i]}`] : [])));
    expect(markGroups(svg, 'funnel_limits')).toHaveLength(4);
    for (const id of SURGEON_IDS) expect(svg).not.toContain(id);
    // The report's own labels where it has them.
    const named = await chartSvg(funnelSpec(funnelReport(true)), 'Funnel plot');
    expect(texts(named)).toContain(`Dr Example ${report.surgeons.indexOf(outliers[0]) + 1}`);
    const custom = await chartSvg(funnelSpec(report, { surgeonLabel: () => 'Named by the page' }), 'Funnel plot');
    expect(texts(custom)).toContain('Named by the page');
  });

  it('marks every CUSUM signal, and draws the threshold h', async () => {
    const report = cusumReport();
    const signals = report.points.filter((p) => p.signal).length;
    expect(signals).toBeGreaterThan(0);
    const svg = await chartSvg(cusumSpec(report), 'Bernoulli CUSUM');
    expect(markGroups(svg, 'cusum_signals').flat()).toHaveLength(signals);
    expect(markGroups(svg, 'cusum_threshold').flat()).toHaveLength(1);
    expect(markGroups(svg, 'cusum_path').flat()).toHaveLength(1);
    expect(texts(svg)).toContain(`Threshold h = ${report.h}`);
  });

  it('shows outcomes and complications in words on a categorical axis, never codes or numbers', async () => {
    const report = outcomesReport();
    const outcomes = texts(await chartSvg(outcomeRatesSpec(report, 'outcomes'), 'Outcome rates'));
    expect(outcomes).toEqual(expect.arrayContaining(['Recurrence', 'Reoperation', 'Conversion to arthroplasty']));
    const svg = await chartSvg(outcomeRatesSpec(report, 'complications'), 'Complication rates');
    const shown = report.groups[0].complications
      .map((c) => c.type)
      .filter((type) => report.groups.some((g) => g.complications.find((c) => c.type === type)!.numerator > 0));
    expect(shown.length).toBeGreaterThan(0);
    for (const type of shown) expect(texts(svg)).toContain((COMPLICATION_TYPE.labels as Record<string, string>)[type]);
    for (const code of COMPLICATION_TYPE.codes) expect(svg).not.toContain(code);
    // One interval and one marker per group and complication.
    expect(markGroups(svg, 'rates_point').flat()).toHaveLength(shown.length * report.groups.length);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Capsular (transcapsular)', 'At the lesser trochanter']));
  });

  it('puts the PROM timepoints on the axis in words, with the PASS reference', async () => {
    const svg = await chartSvg(promMeansSpec(outcomesReport(), 'mhhs'), 'mHHS');
    const shown = texts(svg);
    expect(shown).toEqual(
      expect.arrayContaining(['Preoperative', '6 weeks', '3 months', '6 months', '1 year', '2 years', '5 years']),
    );
    for (const code of TIMEPOINTS) expect(shown).not.toContain(code);
    expect(shown).toContain('PASS');
    expect(markGroups(svg, 'prom_lines')).toHaveLength(2);
    // One group: the baseline + MCID reference too.
    const single = { ...outcomesReport(), filters: {} };
    const one = await chartSvg(promMeansSpec({ ...single, groups: single.groups.slice(0, 1) }, 'mhhs'), 'mHHS');
    expect(texts(one)).toEqual(expect.arrayContaining(['PASS', 'Baseline + MCID', 'All cases']));
  });
});
