// The clinical core: plain TypeScript, no Nest or TypeORM. Everything else calls it.
export * from './vocabulary.js';
export * from './dates.js';
export * from './case-rules.js';
export * from './timepoints.js';
export * from './proms.js';
export * from './prom-wording.js';
export * from './follow-up.js';
export * from './complication.js';
export * from './statistics/index.js';
export * from './questionnaires.js';
