import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/index.js';
import { ENTITIES } from './entities/index.js';

// Clinical dates stay calendar dates: node-postgres would turn a DATE into a JS Date at local
// midnight, which shifts by a day in some time zones.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

// Session settings for every connection. The report and export queries are aggregations over a
// few tables whose row estimates PostgreSQL gets badly wrong (grouped CTEs default to 200 rows),
// which pushes their cost over the JIT threshold: compiling them then takes longer than running them
// (seen: 1.8 s of JIT for a 1 s export query). Sorts and hashes of wide export rows get 32 MB before
// they spill to disk.
export const SESSION_OPTIONS = '-c jit=off -c work_mem=32MB';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

// One place builds the TypeORM options, for the API, the CLI scripts and the tests alike.
// The schema comes only from migrations: `synchronize` stays off everywhere.
export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    logging: false,
    applicationName: settings.applicationName ?? 'ilr-registry',
    extra: { max: settings.poolSize ?? 10, options: SESSION_OPTIONS },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}

// Applies pending migrations; safe to run from several processes at once because TypeORM takes
// the migrations table lock inside the transaction of each migration.
export async function migrate(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'ilr-registry-migrate' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

// The SQL that would bring the database in line with the entities; empty when they agree.
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}
