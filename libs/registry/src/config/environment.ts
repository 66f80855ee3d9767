import { plainToInstance, Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  validateSync,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

@ValidatorConstraint({ name: 'isTimeZone' })
class IsTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    try {
      new Intl.DateTimeFormat('en', { timeZone: String(value) });
      return true;
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'REGISTRY_TIME_ZONE must be an IANA time zone such as Europe/Paris';
  }
}

// The one validated description of the process environment. Everything the service reads from
// `process.env` is declared here; `loadConfig` maps it once to the typed `AppConfig`.
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  // The schema owner that migrations run as (DATABASE_URL when unset, for a single-role set-up).
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'MIGRATION_DATABASE_URL must be a postgres:// or postgresql:// URL' })
  MIGRATION_DATABASE_URL?: string;

  // Shared store for rate limits when several processes serve the API (PostgreSQL when unset).
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  // Express "trust proxy": off (default), a hop count, or a comma-separated list of addresses or
  // subnets (loopback, 10.0.0.0/8, …). Only a trusted proxy's X-Forwarded-For picks the client IP.
  @IsOptional()
  @Matches(/^(off|on|\d{1,2}|[\w.:/, -]+)$/, {
    message: 'TRUST_PROXY must be off, on, a hop count, or a list of addresses/subnets',
  })
  TRUST_PROXY: string = 'off';

  // HTTP worker processes started by `npm start` (node:cluster).
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(64)
  WEB_CONCURRENCY: number = 1;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR: string = './.data';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  // 32 bytes as 64 hex digits: the AES-256-GCM key for MRNs at rest.
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'MRN_ENCRYPTION_KEY must be 64 hex digits (32 bytes)' })
  MRN_ENCRYPTION_KEY?: string;

  // HMAC key for the MRN lookup hash; separate from the encryption key so neither reveals the other.
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'MRN_HASH_KEY must be 64 hex digits (32 bytes)' })
  MRN_HASH_KEY?: string;

  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'EXPORT_PSEUDONYM_KEY must be 64 hex digits (32 bytes)' })
  EXPORT_PSEUDONYM_KEY?: string;

  @IsOptional()
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS: number = 3600;

  // The registry's clinical time zone: "today" for not-in-the-future date rules.
  @IsOptional()
  @IsString()
  @Validate(IsTimeZone)
  REGISTRY_TIME_ZONE: string = 'UTC';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @IsOptional()
  @Matches(/^\d+(kb|mb)$/i, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT: string = '1mb';

  // Largest JSON body accepted before authentication (the login), kept small so that an anonymous
  // caller cannot make the server parse and validate a large document.
  @IsOptional()
  @Matches(/^\d+(kb|mb)$/i, { message: 'UNAUTHENTICATED_BODY_LIMIT must look like 16kb' })
  UNAUTHENTICATED_BODY_LIMIT: string = '16kb';

  // API requests allowed per minute per credential (user) and per client IP, across all processes.
  // Abuse limits, not quotas: high enough for scripts and for the e2e suite's bursts from 127.0.0.1.
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(1000000)
  RATE_LIMIT_PER_MINUTE: number = 6000;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(1000000)
  RATE_LIMIT_PER_IP_PER_MINUTE: number = 20000;

  // How long an Idempotency-Key is remembered (hours); older keys are pruned by a periodic job.
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(8760)
  IDEMPOTENCY_RETENTION_HOURS: number = 24;

  // Where async exports and manifests are written (default DATA_DIR/exports).
  @IsOptional()
  @IsString()
  @MinLength(1)
  EXPORT_DIR?: string;

  // The in-process worker that runs export jobs; 'off' leaves jobs queued (another process runs them).
  @IsOptional()
  @IsIn(['on', 'off'])
  EXPORT_WORKER: 'on' | 'off' = 'on';

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(50)
  @Max(60000)
  EXPORT_WORKER_POLL_MS: number = 1000;

  // An export job's lease: a worker renews it every EXPORT_JOB_HEARTBEAT_MS; a job whose lease has
  // run out (its process stopped) may be taken over by another process.
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  EXPORT_JOB_LEASE_MS: number = 30_000;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(50)
  @Max(600_000)
  EXPORT_JOB_HEARTBEAT_MS: number = 5_000;

  // Where uploaded import files wait while they are read (default DATA_DIR/imports); removed when done.
  @IsOptional()
  @IsString()
  @MinLength(1)
  IMPORT_DIR?: string;

  // The largest CSV file an import takes.
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 ** 3)
  IMPORT_MAX_BYTES: number = 1024 ** 3;

  // A running import's lease, renewed every IMPORT_JOB_HEARTBEAT_MS by the process reading it: an import whose
  // lease has run out (its process stopped) is failed by any process, saying what was kept.
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  IMPORT_JOB_LEASE_MS: number = 30_000;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(50)
  @Max(600_000)
  IMPORT_JOB_HEARTBEAT_MS: number = 5_000;

  // Outgoing mail (questionnaire invitations): smtp://user:pass@host:587 or smtps://…:465. Unset: each
  // message is written as an .eml file to MAIL_DIR instead (development; refused with NODE_ENV=production
  // unless QUESTIONNAIRE_SCHEDULER=off).
  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(3)
  MAIL_FROM: string = 'ILR Registry <no-reply@localhost>';

  // Where messages go without SMTP_URL (default DATA_DIR/mail), one .eml file each.
  @IsOptional()
  @IsString()
  @MinLength(1)
  MAIL_DIR?: string;

  // The address patients reach the registry at: links in mail are PUBLIC_URL/questionnaire/<token>
  // (default http://localhost:PORT).
  @IsOptional()
  @Matches(/^https?:\/\/[^/]+(\/.*)?$/, { message: 'PUBLIC_URL must be an http:// or https:// URL' })
  PUBLIC_URL?: string;

  // The in-process scheduler that invites, reminds and expires; every process may run it (work is claimed
  // in the database). 'off' leaves that to other processes.
  @IsOptional()
  @IsIn(['on', 'off'])
  QUESTIONNAIRE_SCHEDULER: 'on' | 'off' = 'on';

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  QUESTIONNAIRE_SCHEDULER_INTERVAL_MS: number = 300_000;

  // Requests to the questionnaire's token endpoints per client IP per minute (the page saves as it goes).
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(100000)
  QUESTIONNAIRE_REQUESTS_PER_IP_PER_MINUTE: number = 120;

  // Links that are not (or no longer) valid, per client IP per 15 minutes, before every token request
  // from that address is refused (429) for the rest of the window: guessing tokens gets nowhere.
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(10000)
  QUESTIONNAIRE_INVALID_LINKS_PER_IP: number = 10;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES_PER_EMAIL: number = 5;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(10000)
  LOGIN_MAX_FAILURES_PER_IP: number = 20;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_THROTTLE_WINDOW_SECONDS: number = 900;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

// Validates the raw environment. Messages name the variable but never echo its value (it may be a secret).
export function validateEnvironment(env: Record<string, string | undefined>): EnvironmentVariables {
  // Empty strings count as unset, so `FOO=` in a shell behaves like no FOO at all.
  const picked = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const instance = plainToInstance(EnvironmentVariables, picked);
  const errors = validateSync(instance, { whitelist: true, validationError: { value: false, target: false } });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.flatMap((error) =>
        Object.values(error.constraints ?? {}).map((message) =>
          message.startsWith(error.property) ? message : `${error.property}: ${message}`,
        ),
      ),
    );
  }
  if (instance.NODE_ENV === 'production') {
    const missing = (['JWT_SECRET', 'MRN_ENCRYPTION_KEY', 'MRN_HASH_KEY', 'EXPORT_PSEUDONYM_KEY'] as const).filter(
      (key) => !instance[key],
    );
    if (missing.length > 0) {
      throw new ConfigError(missing.map((key) => `${key} is required when NODE_ENV=production`));
    }
  }
  if (instance.NODE_ENV === 'production' && !instance.SMTP_URL && instance.QUESTIONNAIRE_SCHEDULER === 'on') {
    throw new ConfigError([
      'SMTP_URL is required when NODE_ENV=production (or set QUESTIONNAIRE_SCHEDULER=off to send no invitations)',
    ]);
  }
  if (instance.EXPORT_JOB_HEARTBEAT_MS * 2 > instance.EXPORT_JOB_LEASE_MS) {
    throw new ConfigError(['EXPORT_JOB_HEARTBEAT_MS must be at most half of EXPORT_JOB_LEASE_MS']);
  }
  if (instance.IMPORT_JOB_HEARTBEAT_MS * 2 > instance.IMPORT_JOB_LEASE_MS) {
    throw new ConfigError(['IMPORT_JOB_HEARTBEAT_MS must be at most half of IMPORT_JOB_LEASE_MS']);
  }
  return instance;
}
