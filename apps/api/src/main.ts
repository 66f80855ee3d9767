import 'reflect-metadata';
import cluster from 'node:cluster';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  connectedUser,
  DatabaseSetupError,
  migrate,
  serviceRoleWarnings,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '@ilr/persistence';
import { type AppConfig, ConfigError, createLogger, loadConfig } from '@ilr/registry';
import { createApp } from './setup-app.js';

// Start-up: validate configuration, find the database (DATABASE_URL, else an embedded PostgreSQL
// under DATA_DIR/postgres), apply migrations as the schema owner, then serve as the service's role.
// SIGINT/SIGTERM close the HTTP server, the pool and the embedded server, in that order.
// With WEB_CONCURRENCY > 1 this process (the primary) prepares the database and forks that many HTTP
// workers (node:cluster) sharing the port; each worker is a whole API process on the same database.
let embedded: EmbeddedDatabase | undefined;

interface PreparedDatabase {
  // What the service connects with: a role that may read and write the tables but not alter them.
  appUrl: string;
  // Whether the service runs as a role of its own (false: one role for migrations and service).
  separateRoles: boolean;
}

// Finds the database and migrates it as its owner: the embedded PostgreSQL (its superuser migrates,
// `ilr_service` serves), or MIGRATION_DATABASE_URL (owner) and DATABASE_URL (service). With
// DATABASE_URL alone, one role does both, with a warning.
async function prepareDatabase(config: AppConfig, logger: Logger): Promise<PreparedDatabase> {
  let ownerUrl: string;
  let appUrl: string;
  let appUser: string | undefined;
  if (!config.databaseUrl) {
    if (config.migrationDatabaseUrl) logger.warn('MIGRATION_DATABASE_URL is ignored without DATABASE_URL');
    embedded = await startEmbeddedPostgres({
      dir: join(config.dataDir, 'postgres'),
      database: 'ilr',
      exitOnSignal: false,
      log: (line) => logger.debug({ component: 'postgres' }, line),
    });
    logger.info({ port: embedded.port }, 'embedded PostgreSQL started');
    ({ url: ownerUrl, appUrl, appUser } = embedded);
  } else {
    appUrl = config.databaseUrl;
    ownerUrl = config.migrationDatabaseUrl ?? config.databaseUrl;
    if (config.migrationDatabaseUrl) {
      appUser = await connectedUser(appUrl);
    } else {
      logger.warn(
        'MIGRATION_DATABASE_URL is unset: migrations and the service share the role of DATABASE_URL, which owns ' +
          'the audit trail and could disable its triggers; set MIGRATION_DATABASE_URL to the schema owner and ' +
          'DATABASE_URL to a role that owns nothing',
      );
    }
  }
  const applied = await migrate(ownerUrl, { appUser });
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  return { appUrl, separateRoles: appUser !== undefined };
}

// How the primary tells its workers where the database is (it started it and migrated it).
const WORKER_DATABASE_URL = 'ILR_WORKER_DATABASE_URL';
const WORKER_SEPARATE_ROLES = 'ILR_WORKER_SEPARATE_ROLES';

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

  if (cluster.isWorker) {
    const appUrl = process.env[WORKER_DATABASE_URL]!;
    return serve(config, logger, { appUrl, separateRoles: process.env[WORKER_SEPARATE_ROLES] === 'true' });
  }
  const database = await prepareDatabase(config, logger);
  if (config.webConcurrency > 1) return supervise(config, logger, database);
  return serve(config, logger, database);
}

// One API process: the HTTP server on its pool. SIGINT/SIGTERM close it (and, when this process
// started it, the embedded PostgreSQL).
async function serve(config: AppConfig, logger: Logger, database: PreparedDatabase): Promise<void> {
  const app = await createApp({ config, databaseUrl: database.appUrl, logger });
  if (database.separateRoles && !cluster.isWorker) {
    for (const warning of await serviceRoleWarnings(app.get(DataSource))) {
      logger.warn(
        `${warning}: it could disable the audit trail's triggers; give DATABASE_URL a role that owns nothing`,
      );
    }
  }
  await app.listen(config.port);
  logger.info(
    { port: config.port, ...(cluster.isWorker ? { worker: cluster.worker?.id } : {}) },
    `ILR Registry listening on http://localhost:${config.port}`,
  );

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

// The primary of WEB_CONCURRENCY workers: forks them, replaces one that dies, and on SIGINT/SIGTERM
// stops them all (each closes its server and pool) before it stops the embedded PostgreSQL.
async function supervise(config: AppConfig, logger: Logger, database: PreparedDatabase): Promise<void> {
  let stopping = false;
  const env = { [WORKER_DATABASE_URL]: database.appUrl, [WORKER_SEPARATE_ROLES]: String(database.separateRoles) };
  const fork = () => cluster.fork(env);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ worker: worker.id, code, signal }, 'HTTP worker exited; starting another');
    setTimeout(fork, 1000).unref();
  });
  for (let i = 0; i < config.webConcurrency; i++) fork();
  logger.info({ workers: config.webConcurrency }, 'HTTP workers started');

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down the HTTP workers');
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    const exited = workers.map((worker) => new Promise<void>((resolve) => worker.once('exit', () => resolve())));
    for (const worker of workers) worker.process.kill('SIGTERM');
    // A worker that does not finish its requests within 30 s is killed.
    const timeout = setTimeout(() => workers.forEach((worker) => worker.process.kill('SIGKILL')), 30_000);
    await Promise.all(exited);
    clearTimeout(timeout);
    try {
      await embedded?.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch(async (error: unknown) => {
  // A problem we can explain in one line is said in one line; anything else with its stack.
  const text =
    error instanceof DatabaseSetupError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`ILR Registry failed to start: ${text}\n`);
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
