// The clinical core: plain TypeScript, no Nest or TypeORM. Everything else calls it.
export * from './vocabulary.js';
export * from './dates.js';
export * from './case-rules.js';
