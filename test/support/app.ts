import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import { createDataSource } from '@ilr/persistence';
import { type Clock, createLogger, loadConfig, type AppConfig } from '@ilr/registry';
import { createApp } from '../../apps/api/src/setup-app.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { Factories, TEST_ADMIN } from './factories.js';
import { client } from './openapi-validator.js';

export { TEST_ADMIN };

export interface TestApp {
  app: INestApplication;
  server: Server;
  db: TestDatabase;
  // A connection as the database owner, for tests that inspect the database or tamper with it on
  // purpose (the app itself runs as the restricted service role, see appDataSource).
  dataSource: DataSource;
  // The app's own connection pool, as the service role.
  appDataSource: DataSource;
  config: AppConfig;
  factories: Factories;
  // Every log line the app wrote, as parsed JSON: tests check what may never appear in them.
  logs: Array<Record<string, unknown>>;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

// Boots the real application on its own database copy and listens on an ephemeral port, so that
// supertest talks to it over real HTTP.
export interface StartOptions {
  migrated?: boolean;
  // Start on an existing database (a restart): close() then leaves it for its owner to drop.
  database?: TestDatabase;
  // The role the app connects as: the restricted service role (default, as in production), or the
  // owner (a single-role set-up).
  role?: 'service' | 'owner';
  // The clock the app reads (a ManualClock moves time forward); the system clock when unset.
  clock?: Clock;
}

export async function startTestApp(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase(options));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'ilr-test-data-')),
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    MRN_ENCRYPTION_KEY: '11'.repeat(32),
    MRN_HASH_KEY: '22'.repeat(32),
    EXPORT_PSEUDONYM_KEY: '33'.repeat(32),
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    LOG_LEVEL: 'info',
    // Tests run the questionnaire scheduler's ticks themselves (QuestionnaireScheduler.tick), when they need them.
    QUESTIONNAIRE_SCHEDULER: 'off',
    ...env,
  });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      callback();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const app = await createApp({
    config,
    databaseUrl: options.role === 'owner' ? db.ownerUrl : db.appUrl,
    logger,
    clock: options.clock,
  });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const appDataSource = app.get(DataSource);
  const dataSource = await createDataSource({
    url: db.ownerUrl,
    poolSize: 3,
    applicationName: 'ilr-registry-test-owner',
  }).initialize();
  return {
    app,
    server,
    db,
    dataSource,
    appDataSource,
    config,
    logs,
    factories: new Factories(server),
    // Every response is checked against openapi.json (openapi-validator.ts).
    http: () => client(server),
    close: async () => {
      await dataSource.destroy();
      await app.close();
      if (!options.database) await db.drop();
    },
  };
}
