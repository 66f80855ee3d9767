import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config.js';
import { ConfigError, validateEnvironment } from './environment.js';

describe(validateEnvironment.name, () => {
  it('applies defaults to an empty environment', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATA_DIR: './.data',
      LOG_LEVEL: 'info',
      ACCESS_TOKEN_TTL_SECONDS: 3600,
    });
  });

  it('names every bad variable without echoing its value', () => {
    let error: unknown;
    try {
      validateEnvironment({
        PORT: '99999',
        DATABASE_URL: 'mysql://x',
        MRN_ENCRYPTION_KEY: 'abc123',
        LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.split(/[ :]/)[0]).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'MRN_ENCRYPTION_KEY',
      'PORT',
    ]);
    expect(message).not.toContain('abc123');
  });

  it('treats empty strings as unset', () => {
    expect(validateEnvironment({ PORT: '', DATABASE_URL: '' })).toMatchObject({ PORT: 3000, DATABASE_URL: undefined });
  });

  it('demands every secret in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET is required when NODE_ENV=production/,
    );
  });

  it('demands a mail server in production unless questionnaire invitations are off, and never echoes its URL', () => {
    const secrets = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      MRN_ENCRYPTION_KEY: 'ab'.repeat(32),
      MRN_HASH_KEY: 'cd'.repeat(32),
      EXPORT_PSEUDONYM_KEY: 'ef'.repeat(32),
    };
    expect(() => validateEnvironment(secrets)).toThrow(/SMTP_URL is required when NODE_ENV=production/);
    expect(validateEnvironment({ ...secrets, QUESTIONNAIRE_SCHEDULER: 'off' }).SMTP_URL).toBeUndefined();
    expect(validateEnvironment({ ...secrets, SMTP_URL: 'smtps://u:p@mail.example.org:465' }).SMTP_URL).toBe(
      'smtps://u:p@mail.example.org:465',
    );
    let message = '';
    try {
      validateEnvironment({ SMTP_URL: 'http://user:secret-pw@mail' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('SMTP_URL must be an smtp:// or smtps:// URL');
    expect(message).not.toContain('secret-pw');
  });
});

describe(loadConfig.name, () => {
  it('generates development secrets once, keeps them private, and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ilr-config-'));
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.secrets.jwtSecret).toBe(second.secrets.jwtSecret);
    expect(first.secrets.mrnEncryptionKey).toHaveLength(32);
    expect(first.secrets.mrnEncryptionKey.equals(second.secrets.mrnHashKey)).toBe(false);
    const file = join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).jwtSecret).toBe(first.secrets.jwtSecret);
  });

  it('prefers secrets from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ilr-config-'));
    const config = loadConfig({
      DATA_DIR: dir,
      JWT_SECRET: 'x'.repeat(40),
      MRN_ENCRYPTION_KEY: 'ab'.repeat(32),
      MRN_HASH_KEY: 'cd'.repeat(32),
      EXPORT_PSEUDONYM_KEY: 'ef'.repeat(32),
    });
    expect(config.secrets.jwtSecret).toBe('x'.repeat(40));
    expect(config.secrets.mrnEncryptionKey.toString('hex')).toBe('ab'.repeat(32));
  });
});
