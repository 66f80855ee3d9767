// Jest runs the TypeScript sources as ES modules (NestJS 12 is ESM-only).
// Each test file gets its own PostgreSQL database copied from a migrated template (test/global-setup.js).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@ilr/(charts|clinical|persistence|registry)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
    // CommonJS that require()s ESM-only NestJS: served to Jest as ESM (see the transform's header).
    '/node_modules/(@nestjs/throttler|nestjs-cls)/dist/.+\\.js$': '<rootDir>/test/support/cjs-as-esm-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/throttler/|nestjs-cls/)'],
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  maxWorkers: 2,
  testTimeout: 30000,
};
