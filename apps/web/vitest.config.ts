// Vitest for the browser-side logic of apps/web (pure modules and the form's value → request mapping).
// `@ilr/clinical` resolves to the same sources the API imports (tsconfig.json `paths`): one rule set.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: {
      '@ilr/charts': `${root}libs/charts/src/index.ts`,
      '@ilr/clinical': `${root}libs/clinical/src/index.ts`,
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    include: ['apps/web/src/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
