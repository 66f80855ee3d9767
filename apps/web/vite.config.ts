// The web front end: a single-page app built by Vite 8 (Rolldown bundles, Oxc transforms the TSX) into
// dist/web, which the API server serves at `/` (apps/api/src/web-pages.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  // No `public/` directory: everything the pages load is bundled and content-hashed.
  publicDir: false,
  resolve: {
    // The clinical vocabularies and rules and the chart definitions, imported from the one source (never copied).
    alias: {
      '@ilr/charts': here('../../libs/charts/src/index.ts'),
      '@ilr/clinical': here('../../libs/clinical/src/index.ts'),
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // Fast builds: no source maps, no gzip size report.
    sourcemap: false,
    reportCompressedSize: false,
    assetsDir: 'assets',
    // One bundle for now (about 155 KB gzip; the budget is 250 KB): no warning below 700 KB raw.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      // Mantine's "use client" markers are for server components; a client-only bundle has nothing to keep.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
