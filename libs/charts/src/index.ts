// Chart definitions shared by the API's printable pages (rendered to SVG on the server) and the web pages
// (vega-embed): plain Vega-Lite specs built from the reports' JSON. No Nest, TypeORM or vega here.
export * from './types.js';
export * from './options.js';
export * from './labels.js';
export * from './theme.js';
export * from './kaplan-meier.js';
export * from './funnel.js';
export * from './cusum.js';
export * from './outcome-rates.js';
export * from './prom-means.js';
