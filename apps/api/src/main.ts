import 'reflect-metadata';
import { join } from 'node:path';
import { migrate, startEmbeddedPostgres, type EmbeddedDatabase } from '@ilr/persistence';
import { ConfigError, createLogger, loadConfig } from '@ilr/registry';
import { createApp } from './setup-app.js';

// Start-up: validate configuration, find the database (DATABASE_URL, else an embedded PostgreSQL
// under DATA_DIR/postgres), apply migrations, then serve. SIGINT/SIGTERM close the HTTP server,
// the pool and the embedded server, in that order.
let embedded: EmbeddedDatabase | undefined;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dir: join(config.dataDir, 'postgres'),
      database: 'ilr',
      exitOnSignal: false,
      log: (line) => logger.debug({ component: 'postgres' }, line),
    });
    databaseUrl = embedded.url;
    logger.info({ port: embedded.port }, 'embedded PostgreSQL started');
  }

  const applied = await migrate(databaseUrl);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');

  const app = await createApp({ config, databaseUrl, logger });
  await app.listen(config.port);
  logger.info({ port: config.port }, `ILR Registry listening on http://localhost:${config.port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      await embedded?.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch(async (error: unknown) => {
  process.stderr.write(
    `ILR Registry failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
