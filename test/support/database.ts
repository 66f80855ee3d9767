import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  // The owner's URL (the server's superuser): migrations, and tests that inspect or tamper on purpose.
  url: string;
  ownerUrl: string;
  // The restricted service role's URL (a member of ilr_app): what the apps under test connect with.
  appUrl: string;
  name: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.ILR_TEST_SERVER_URL;
  if (!url) throw new Error('ILR_TEST_SERVER_URL is unset: run the tests through `npm test` (jest globalSetup).');
  return url;
}

function withDatabase(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

// The owner's URL of a database on the test server.
export function databaseUrl(name: string): string {
  return withDatabase(serverUrl(), name);
}

// The restricted service role's URL of a database on the test server.
export function appDatabaseUrl(name: string): string {
  const url = process.env.ILR_TEST_APP_SERVER_URL;
  if (!url) throw new Error('ILR_TEST_APP_SERVER_URL is unset: run the tests through `npm test` (jest globalSetup).');
  return withDatabase(url, name);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// A fresh database for one test file: a copy of the migrated template, or (migrated: false) an
// empty one, for tests of what happens before migrations.
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const template = process.env.ILR_TEST_TEMPLATE!;
  const name = `${template}_f${randomBytes(5).toString('hex')}`;
  await adminQuery(
    options.migrated === false ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template}`,
  );
  const url = databaseUrl(name);
  return {
    url,
    ownerUrl: url,
    appUrl: appDatabaseUrl(name),
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
