import { cusumSpec, funnelSpec, kaplanMeierSpec, outcomeRatesSpec, promMeansSpec } from '@ilr/charts';
import { parse, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  cusumReport,
  funnelReport,
  outcomesReport,
  survivalReport,
} from '../../../../libs/charts/src/testing/fixtures.js';
import { chartEmbedOptions } from './chart-embed.js';

const SPECS: Array<[string, TopLevelSpec]> = [
  ['Kaplan–Meier', kaplanMeierSpec(survivalReport())],
  ['funnel', funnelSpec(funnelReport())],
  ['CUSUM', cusumSpec(cusumReport())],
  ['outcome rates', outcomeRatesSpec(outcomesReport(), 'complications')],
  ['PROM means', promMeansSpec(outcomesReport(), 'mhhs')],
];

// Draws a spec as vega-embed does with these options, with `Function` (what 'unsafe-eval' would allow) refused.
async function drawWithoutEval(spec: TopLevelSpec, options: { ast?: boolean; expr?: unknown }): Promise<string> {
  const evaluated: string[] = [];
  vi.stubGlobal('Function', (...args: string[]) => {
    evaluated.push(args.join(' '));
    throw new EvalError('Function() is refused');
  });
  const view = new View(parse(compile(spec).spec, undefined, { ast: options.ast }), {
    renderer: 'none',
    expr: options.expr as typeof expressionInterpreter,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
    vi.unstubAllGlobals();
  }
}

describe('chartEmbedOptions', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('draws SVG with no actions menu and no injected styles', () => {
    const options = chartEmbedOptions(expressionInterpreter);
    expect(options).toMatchObject({ renderer: 'svg', actions: false, defaultStyle: false, tooltip: false });
  });

  for (const [name, spec] of SPECS)
    it(`draws the ${name} chart without evaluating code (CSP without 'unsafe-eval')`, async () => {
      const { ast, expr } = chartEmbedOptions(expressionInterpreter);
      const svg = await drawWithoutEval(spec, { ast, expr });
      expect(svg).toMatch(/^<svg /);
    });

  it('would need eval without the interpreter (the check above can fail)', async () => {
    await expect(drawWithoutEval(SPECS[0][1], {})).rejects.toThrow('Function() is refused');
  });
});
