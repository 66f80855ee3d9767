import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// The built server (`npm test` builds first) started as `npm start` starts it, in a child process.
const MAIN = join(process.cwd(), 'dist/apps/api/src/main.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>) {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.NODE_OPTIONS;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...base, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitReady(port: number, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('server exited before it was ready');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('server not ready in time');
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ilr-start-'));
  chmodSync(dir, 0o755);
  return dir;
}

describe('start-up and shutdown (e2e, built server)', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('refuses to start with invalid configuration and names the variable', async () => {
    const server = run({ PORT: 'eighty', JWT_SECRET: 'short', DATA_DIR: dataDir() });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT');
    expect(server.output()).toContain('JWT_SECRET must be at least 32 characters');
    expect(server.output()).not.toContain('short');
  });

  it('requires every secret in production', async () => {
    const server = run({ NODE_ENV: 'production', DATA_DIR: dataDir() });
    expect(await server.exited).toBe(1);
    for (const name of ['JWT_SECRET', 'MRN_ENCRYPTION_KEY', 'MRN_HASH_KEY', 'EXPORT_PSEUDONYM_KEY']) {
      expect(server.output()).toContain(name);
    }
  });

  it('migrates an empty DATABASE_URL database on start, serves, and exits cleanly on SIGTERM', async () => {
    const db = await createTestDatabase({ migrated: false });
    databases.push(db);
    const port = await freePort();
    const server = run({ DATABASE_URL: db.url, PORT: String(port), DATA_DIR: dataDir() });
    await waitReady(port, server.child);
    expect(server.output()).toContain('migrations applied');
    // No ADMIN_PASSWORD: a one-time password is printed once.
    expect(server.output()).toMatch(/created admin admin@ilr\.local with one-time password \S+/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('runs on an embedded PostgreSQL under DATA_DIR and stops it on SIGINT', async () => {
    const dir = dataDir();
    const port = await freePort();
    const server = run({
      PORT: String(port),
      DATA_DIR: dir,
      ADMIN_EMAIL: 'boss@test.ilr',
      ADMIN_PASSWORD: 'boss-password-123',
    });
    await waitReady(port, server.child);
    expect(existsSync(join(dir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(true);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'boss@test.ilr', password: 'boss-password-123' }),
    });
    expect(login.status).toBe(200);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    // PostgreSQL removes its pid file on a clean shutdown.
    expect(existsSync(join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(server.output()).not.toContain('boss-password-123');
  });
});
