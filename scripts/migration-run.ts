import 'reflect-metadata';
import { join } from 'node:path';
import { connectedUser, migrate, startEmbeddedPostgres } from '@ilr/persistence';
import { loadConfig } from '@ilr/registry';

// `npm run migration:run`: applies pending migrations as the schema owner — MIGRATION_DATABASE_URL
// (else DATABASE_URL), or the superuser of the embedded database under DATA_DIR/postgres that
// `npm start` uses — and makes the service's role (DATABASE_URL's user, or the embedded
// `ilr_service`) a member of ilr_app.
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), database: 'ilr' });
  try {
    const ownerUrl = embedded?.url ?? config.migrationDatabaseUrl ?? config.databaseUrl!;
    const appUser =
      embedded?.appUser ??
      (config.migrationDatabaseUrl && config.databaseUrl ? await connectedUser(config.databaseUrl) : undefined);
    const applied = await migrate(ownerUrl, { appUser });
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
