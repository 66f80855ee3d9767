// Once per `npm test`: find a PostgreSQL server (DATABASE_URL, else a throw-away embedded one),
// migrate a template database as its owner, and tell the workers where it is. Each test file then
// copies the template with CREATE DATABASE … TEMPLATE (test/support/database.ts), which takes
// milliseconds, and the apps under test connect as the restricted service role, as in production.
//
// Jest loads this file outside its module system (no TypeScript, no path aliases), so it uses the
// compiled build: `npm test` runs `npm run build` first.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureLoginRole, migrate, startEmbeddedPostgres } from '../../dist/libs/persistence/src/index.js';

// The service's login role on a DATABASE_URL server (made a member of ilr_app by the migration
// step). Roles are cluster-wide and several test runs may share the server: the name and password
// are fixed, and the role is left in place.
const TEST_SERVICE_USER = 'ilr_test_service';
const TEST_SERVICE_PASSWORD = 'ilr-test-service-password';

function withCredentials(url, user, password) {
  const copy = new URL(url);
  copy.username = encodeURIComponent(user);
  copy.password = encodeURIComponent(password);
  return copy.toString();
}

export default async function globalSetup() {
  let serverUrl = process.env.DATABASE_URL;
  let appServerUrl;
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
    appServerUrl = embedded.appUrl;
  } else {
    // DATABASE_URL is a role that may create roles (the superuser the tests are run with).
    await ensureLoginRole(serverUrl, TEST_SERVICE_USER, TEST_SERVICE_PASSWORD);
    appServerUrl = withCredentials(serverUrl, TEST_SERVICE_USER, TEST_SERVICE_PASSWORD);
  }
  const template = `ilr_template_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${template}`;
  await migrate(templateUrl.toString(), { appUser: decodeURIComponent(new URL(appServerUrl).username) });

  // The owner's URL (tests that inspect or tamper with the database on purpose), and the service's.
  process.env.ILR_TEST_SERVER_URL = serverUrl;
  process.env.ILR_TEST_APP_SERVER_URL = appServerUrl;
  process.env.ILR_TEST_TEMPLATE = template;
  globalThis.__ilrEmbedded = embedded;
}
