// A chart definition (libs/charts) drawn as SVG on the server: Vega-Lite compiles it to Vega, a headless
// View renders it (renderer 'none': no DOM, no canvas). The same spec the web pages draw with vega-embed.
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import { parse, View } from 'vega';

export async function chartSvg(spec: TopLevelSpec, title: string): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // The accessible name of the figure, as the hand-drawn charts had it.
    const escaped = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
    // One image with one name: Vega gives every mark container a role of its own (graphics-symbol, with no name),
    // which screen readers would list one by one; the figures are in the table beside the chart.
    return svg
      .replace(/ (role="graphics-[a-z-]+"|aria-roledescription="[^"]*"|aria-label="[^"]*")/g, '')
      .replace(/^<svg /, `<svg role="img" aria-label="${escaped}" `)
      .replace(/^(<svg[^>]*>)/, `$1<title>${escaped}</title>`);
  } finally {
    view.finalize();
  }
}
