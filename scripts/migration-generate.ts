import 'reflect-metadata';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDataSource, migrate, startEmbeddedPostgres } from '@ilr/persistence';

// `npm run migration:generate -- Name`: migrates a scratch database, asks TypeORM what SQL would
// bring it in line with the entities, and writes that as migrations/<epoch-ms>-<Name>.ts, adding
// it to migrations/index.ts. Read and edit the file before committing it (typeorm#3357).
const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  process.stderr.write('usage: npm run migration:generate -- VerbNoun   (PascalCase, e.g. AddCaseIndexes)\n');
  process.exit(2);
}

async function scratchDatabase(): Promise<{ url: string; dispose: () => Promise<void> }> {
  // The scratch database is made and migrated by the role that may create databases and own schemas.
  const base = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), 'ilr-generate-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach its data directory
    const server = await startEmbeddedPostgres({
      dir: join(dir, 'pg'),
      database: 'scratch',
      persistent: false,
      durable: false,
    });
    return {
      url: server.url,
      dispose: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = `ilr_generate_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    dispose: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}

function quote(sql: string): string {
  return '`' + sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
}

async function main(): Promise<void> {
  const scratch = await scratchDatabase();
  try {
    await migrate(scratch.url);
    const dataSource = await createDataSource({ url: scratch.url }).initialize();
    const builder = await dataSource.driver.createSchemaBuilder().log();
    await dataSource.destroy();
    if (builder.upQueries.length === 0) {
      process.stdout.write('The entities and the migrations agree: nothing to generate.\n');
      return;
    }
    const stamp = Date.now();
    const className = `${name}${stamp}`;
    const up = builder.upQueries.map((q) => `    await queryRunner.query(${quote(q.query)});`).join('\n');
    const down = builder.downQueries
      .reverse()
      .map((q) => `    await queryRunner.query(${quote(q.query)});`)
      .join('\n');
    const file = `${stamp}-${name}.ts`;
    writeFileSync(
      join('migrations', file),
      `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${className} implements MigrationInterface {\n  name = '${className}';\n\n  async up(queryRunner: QueryRunner): Promise<void> {\n${up}\n  }\n\n  async down(queryRunner: QueryRunner): Promise<void> {\n${down}\n  }\n}\n`,
    );
    const indexPath = join('migrations', 'index.ts');
    const index = readFileSync(indexPath, 'utf8')
      .replace(/(\/\/ generated imports end)/, `import { ${className} } from './${stamp}-${name}.js';\n$1`)
      .replace(/(\/\/ generated list end)/, `${className},\n  $1`);
    writeFileSync(indexPath, index);
    process.stdout.write(
      `Wrote migrations/${file} (${builder.upQueries.length} statements) and added it to migrations/index.ts.\n`,
    );
  } finally {
    await scratch.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
