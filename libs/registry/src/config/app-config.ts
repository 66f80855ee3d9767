import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EnvironmentVariables, validateEnvironment } from './environment.js';

export interface Secrets {
  jwtSecret: string;
  mrnEncryptionKey: Buffer;
  mrnHashKey: Buffer;
  exportPseudonymKey: Buffer;
}

// The typed configuration every part of the service receives. Built once at boot.
export interface AppConfig {
  env: EnvironmentVariables['NODE_ENV'];
  port: number;
  databaseUrl?: string;
  // Migrations run as this role (the schema owner); DATABASE_URL when unset.
  migrationDatabaseUrl?: string;
  redisUrl?: string;
  // Express "trust proxy" value: false, a hop count, or addresses/subnets.
  trustProxy: boolean | number | string;
  webConcurrency: number;
  dataDir: string;
  secrets: Secrets;
  admin: { email?: string; password?: string };
  accessTokenTtlSeconds: number;
  logLevel: EnvironmentVariables['LOG_LEVEL'];
  timeZone: string;
  exports: { dir: string; worker: boolean; pollMs: number; leaseMs: number; heartbeatMs: number };
  imports: { dir: string; maxBytes: number; leaseMs: number; heartbeatMs: number };
  bodyLimit: string;
  unauthenticatedBodyLimit: string;
  rateLimit: { perMinute: number; perIpPerMinute: number };
  idempotencyRetentionHours: number;
  loginThrottle: { maxPerEmail: number; maxPerIp: number; windowSeconds: number };
  // Outgoing mail: SMTP when smtpUrl is set, else .eml files in dir.
  mail: { smtpUrl?: string; from: string; dir: string };
  // Where patients reach the web app (links in mail), without a trailing slash.
  publicUrl: string;
  questionnaires: {
    scheduler: boolean;
    intervalMs: number;
    requestsPerIpPerMinute: number;
    invalidLinksPerIp: number;
    invalidLinkWindowSeconds: number;
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

type SecretFile = { jwtSecret: string; mrnEncryptionKey: string; mrnHashKey: string; exportPseudonymKey: string };

// Development secrets: generated once, kept in DATA_DIR/secrets.json (mode 0600, git-ignored).
// In production every secret must come from the environment (validateEnvironment enforces it).
function loadOrCreateDevSecrets(dataDir: string): SecretFile {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as SecretFile;
  }
  mkdirSync(dataDir, { recursive: true });
  const created: SecretFile = {
    jwtSecret: randomBytes(48).toString('base64url'),
    mrnEncryptionKey: randomBytes(32).toString('hex'),
    mrnHashKey: randomBytes(32).toString('hex'),
    exportPseudonymKey: randomBytes(32).toString('hex'),
  };
  writeFileSync(file, JSON.stringify(created, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return created;
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'off') return false;
  if (value === 'on') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const vars = validateEnvironment(env);
  const dataDir = resolve(vars.DATA_DIR);
  const needsGenerated =
    !vars.JWT_SECRET || !vars.MRN_ENCRYPTION_KEY || !vars.MRN_HASH_KEY || !vars.EXPORT_PSEUDONYM_KEY;
  const generated = needsGenerated ? loadOrCreateDevSecrets(dataDir) : undefined;
  return {
    env: vars.NODE_ENV,
    port: vars.PORT,
    databaseUrl: vars.DATABASE_URL,
    migrationDatabaseUrl: vars.MIGRATION_DATABASE_URL,
    redisUrl: vars.REDIS_URL,
    trustProxy: parseTrustProxy(vars.TRUST_PROXY),
    webConcurrency: vars.WEB_CONCURRENCY,
    dataDir,
    secrets: {
      jwtSecret: vars.JWT_SECRET ?? generated!.jwtSecret,
      mrnEncryptionKey: Buffer.from(vars.MRN_ENCRYPTION_KEY ?? generated!.mrnEncryptionKey, 'hex'),
      mrnHashKey: Buffer.from(vars.MRN_HASH_KEY ?? generated!.mrnHashKey, 'hex'),
      exportPseudonymKey: Buffer.from(vars.EXPORT_PSEUDONYM_KEY ?? generated!.exportPseudonymKey, 'hex'),
    },
    admin: { email: vars.ADMIN_EMAIL?.toLowerCase(), password: vars.ADMIN_PASSWORD },
    accessTokenTtlSeconds: vars.ACCESS_TOKEN_TTL_SECONDS,
    logLevel: vars.LOG_LEVEL,
    timeZone: vars.REGISTRY_TIME_ZONE,
    exports: {
      dir: resolve(vars.EXPORT_DIR ?? join(dataDir, 'exports')),
      worker: vars.EXPORT_WORKER === 'on',
      pollMs: vars.EXPORT_WORKER_POLL_MS,
      leaseMs: vars.EXPORT_JOB_LEASE_MS,
      heartbeatMs: vars.EXPORT_JOB_HEARTBEAT_MS,
    },
    imports: {
      dir: resolve(vars.IMPORT_DIR ?? join(dataDir, 'imports')),
      maxBytes: vars.IMPORT_MAX_BYTES,
      leaseMs: vars.IMPORT_JOB_LEASE_MS,
      heartbeatMs: vars.IMPORT_JOB_HEARTBEAT_MS,
    },
    bodyLimit: vars.BODY_LIMIT,
    unauthenticatedBodyLimit: vars.UNAUTHENTICATED_BODY_LIMIT,
    rateLimit: { perMinute: vars.RATE_LIMIT_PER_MINUTE, perIpPerMinute: vars.RATE_LIMIT_PER_IP_PER_MINUTE },
    idempotencyRetentionHours: vars.IDEMPOTENCY_RETENTION_HOURS,
    mail: {
      smtpUrl: vars.SMTP_URL,
      from: vars.MAIL_FROM,
      dir: resolve(vars.MAIL_DIR ?? join(dataDir, 'mail')),
    },
    publicUrl: (vars.PUBLIC_URL ?? `http://localhost:${vars.PORT}`).replace(/\/+$/, ''),
    questionnaires: {
      scheduler: vars.QUESTIONNAIRE_SCHEDULER === 'on',
      intervalMs: vars.QUESTIONNAIRE_SCHEDULER_INTERVAL_MS,
      requestsPerIpPerMinute: vars.QUESTIONNAIRE_REQUESTS_PER_IP_PER_MINUTE,
      invalidLinksPerIp: vars.QUESTIONNAIRE_INVALID_LINKS_PER_IP,
      invalidLinkWindowSeconds: 900,
    },
    loginThrottle: {
      maxPerEmail: vars.LOGIN_MAX_FAILURES_PER_EMAIL,
      maxPerIp: vars.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: vars.LOGIN_THROTTLE_WINDOW_SECONDS,
    },
  };
}
