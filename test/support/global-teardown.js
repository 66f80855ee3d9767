import pg from 'pg';

export default async function globalTeardown() {
  const embedded = globalThis.__ilrEmbedded;
  if (embedded) {
    await embedded.stop();
    return;
  }
  // On a shared server, leave nothing behind: the template and any per-file copy a crash left.
  const client = new pg.Client({ connectionString: process.env.ILR_TEST_SERVER_URL });
  await client.connect();
  const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2', [
    process.env.ILR_TEST_TEMPLATE,
    `${process.env.ILR_TEST_TEMPLATE}_f%`,
  ]);
  for (const { datname } of rows) {
    await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await client.end();
}
