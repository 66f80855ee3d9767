import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.ILR_TEST_SERVER_URL;
  if (!url) throw new Error('ILR_TEST_SERVER_URL is unset: run the tests through `npm test` (jest globalSetup).');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
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
  return { url: databaseUrl(name), name, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
