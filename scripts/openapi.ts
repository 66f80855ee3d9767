import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfig } from '@ilr/registry';
import { AppModule } from '../apps/api/src/app.module.js';
import { buildOpenApiDocument, serializeOpenApi } from '../apps/api/src/openapi.js';

// `npm run openapi`: rewrites openapi.json at the repository root from the code. Nest's preview mode
// builds the module graph without instantiating providers, so no database is needed; the document
// comes from the routes' and DTOs' metadata exactly as the server's /api/docs-json does
// (test/e2e/openapi.e2e.spec.ts fails when the two differ).
async function main(): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/nonexistent',
    JWT_SECRET: 'openapi-generation-only-not-a-secret-0123456789',
    MRN_ENCRYPTION_KEY: '00'.repeat(32),
    MRN_HASH_KEY: '00'.repeat(32),
    EXPORT_PSEUDONYM_KEY: '00'.repeat(32),
  });
  const app = await NestFactory.create(
    AppModule.register({
      config,
      databaseUrl: 'postgresql://unused@127.0.0.1:1/unused',
      logger: createLogger('error'),
    }),
    { preview: true, logger: false },
  );
  const file = join(process.cwd(), 'openapi.json');
  writeFileSync(file, serializeOpenApi(buildOpenApiDocument(app)));
  await app.close();
  process.stdout.write(`Wrote ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
