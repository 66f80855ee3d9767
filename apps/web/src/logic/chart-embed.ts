// How the web pages embed a chart definition (libs/charts) with vega-embed: SVG (testable, crisp in print),
// no actions menu, and nothing the page's Content-Security-Policy forbids — expressions are run by Vega's
// interpreter (`ast` + `expr`), never compiled with `new Function` ('unsafe-eval'); no <style> elements
// (vega-embed's default CSS, vega-tooltip's), which the policy allows only with the page's nonce.
import type { EmbedOptions } from 'vega-embed';

export type ExpressionInterpreter = NonNullable<EmbedOptions['expr']>;

export function chartEmbedOptions(expr: ExpressionInterpreter): EmbedOptions {
  return {
    mode: 'vega-lite',
    renderer: 'svg',
    actions: false,
    ast: true,
    expr,
    defaultStyle: false,
    tooltip: false,
    // Warnings go to the console only in development; a chart never throws for one.
    logLevel: 0,
  };
}
