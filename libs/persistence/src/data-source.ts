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
    // Extensions are the schema owner's business (migrations); the service's role may not create them.
    // gen_random_uuid() and sha256() are built in.
    installExtensions: false,
    applicationName: settings.applicationName ?? 'ilr-registry',
    extra: { max: settings.poolSize ?? 10, options: SESSION_OPTIONS },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}

// A start-up problem with a one-line explanation of what to do: callers print the message alone.
export class DatabaseSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseSetupError';
  }
}

// The role the service's privileges are granted to (migration CreateAppRole): SELECT, INSERT,
// UPDATE, DELETE on the tables (SELECT and INSERT only on the audit trail and its checkpoints,
// SELECT only on `migrations`), USAGE on sequences, EXECUTE on functions. It cannot log in: the
// service's login role (the user of DATABASE_URL) is made a member of it.
export const APP_ROLE = 'ilr_app';

export interface MigrateOptions {
  // The service's login role (DATABASE_URL's user). When it differs from the migrating role, it is
  // made a member of APP_ROLE after the migrations; when it is the same role (a single-role set-up)
  // nothing is granted.
  appUser?: string;
}

// Applies pending migrations; safe to run from several processes at once because TypeORM takes
// the migrations table lock inside the transaction of each migration. Run it as the schema owner.
export async function migrate(url: string, options: MigrateOptions = {}): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'ilr-registry-migrate' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (options.appUser) await grantAppRole(dataSource, options.appUser);
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

// Makes `user` a member of APP_ROLE unless it is the migrating role itself or already a member.
async function grantAppRole(dataSource: DataSource, user: string): Promise<void> {
  const member = async (): Promise<{ self: boolean; member: boolean }> => {
    const [row] = await dataSource.query(
      `SELECT current_user = $1 AS self,
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) THEN pg_has_role($1, $2, 'USAGE')
                   ELSE false END AS member`,
      [user, APP_ROLE],
    );
    return row;
  };
  const before = await member();
  if (before.self || before.member) return;
  const quoted = `"${user.replace(/"/g, '""')}"`;
  try {
    await dataSource.query(`GRANT ${APP_ROLE} TO ${quoted}`);
  } catch (error) {
    // Another process may have granted it at the same moment.
    if ((await member()).member) return;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseSetupError(
      `The service role ${quoted} is not a member of ${APP_ROLE} and the migration role could not grant it (${reason}): ` +
        `as a superuser, run GRANT ${APP_ROLE} TO ${quoted}`,
      { cause: error },
    );
  }
}

// Creates a login role (or sets its password) for the service: no superuser, no CREATEDB, no
// CREATEROLE, no BYPASSRLS. Run on a connection that may create roles (a superuser's).
export async function ensureLoginRole(adminUrl: string, name: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const role = client.escapeIdentifier(name);
    const options = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${client.escapeLiteral(password)}`;
    const exists = async () => (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1;
    if (!(await exists())) {
      try {
        await client.query(`CREATE ROLE ${role} ${options}`);
        return;
      } catch (error) {
        // Created by another process in the meantime (two test runs on one server).
        if (!(await exists())) throw error;
      }
    }
    await client.query(`ALTER ROLE ${role} ${options}`);
  } finally {
    await client.end();
  }
}

// What is wrong with the role the service logs in as, for a warning at start-up: a superuser, or a
// member of the audit trail's owner, can disable its triggers and rewrite it.
export async function serviceRoleWarnings(dataSource: DataSource): Promise<string[]> {
  const [row] = await dataSource.query(
    `SELECT current_user AS role, r.rolsuper AS superuser,
            coalesce((SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c
                      WHERE c.oid = to_regclass('audit_events')), false) AS owner
     FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const warnings: string[] = [];
  if (row?.superuser) warnings.push(`the service's database role ${row.role} is a superuser`);
  else if (row?.owner) warnings.push(`the service's database role ${row.role} owns the audit trail`);
  return warnings;
}

// The role a URL logs in as (a URL without a user name logs in as the OS user or PGUSER).
export async function connectedUser(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ user: string }>('SELECT current_user AS "user"')).rows[0].user;
  } finally {
    await client.end();
  }
}

// The SQL that would bring the database in line with the entities; empty when they agree.
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}
