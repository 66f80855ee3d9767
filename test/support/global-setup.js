// Once per `npm test`: find a PostgreSQL server (DATABASE_URL, else a throw-away embedded one),
// migrate a template database, and tell the workers where it is. Each test file then copies the
// template with CREATE DATABASE … TEMPLATE (test/support/database.ts), which takes milliseconds.
//
// Jest loads this file outside its module system (no TypeScript, no path aliases), so it uses the
// compiled build: `npm test` runs `npm run build` first.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, startEmbeddedPostgres } from '../../dist/libs/persistence/src/index.js';

export default async function globalSetup() {
  let serverUrl = process.env.DATABASE_URL;
  let embedded;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'ilr-test-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres` and must reach its data directory
    embedded = await startEmbeddedPostgres({
      dir: join(dir, 'data'),
      database: 'ilr_test',
      persistent: false,
      durable: false,
    });
    serverUrl = embedded.url;
  }
  const template = `ilr_template_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${template}`;
  await migrate(templateUrl.toString());

  process.env.ILR_TEST_SERVER_URL = serverUrl;
  process.env.ILR_TEST_TEMPLATE = template;
  globalThis.__ilrEmbedded = embedded;
}
