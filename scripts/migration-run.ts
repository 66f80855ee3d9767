import 'reflect-metadata';
import { join } from 'node:path';
import { migrate, startEmbeddedPostgres } from '@ilr/persistence';
import { loadConfig } from '@ilr/registry';

// `npm run migration:run`: applies pending migrations to DATABASE_URL, or to the embedded
// database under DATA_DIR/postgres that `npm start` uses.
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), database: 'ilr' });
  try {
    const applied = await migrate(config.databaseUrl ?? embedded!.url);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
