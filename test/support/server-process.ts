import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The built server (`npm test` builds first) started as `npm start` starts it, in a child process.
export const MAIN = join(process.cwd(), 'dist/apps/api/src/main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

// Runs the built server with this environment on top of ours, without DATABASE_URL (pass it).
export function runServer(env: Record<string, string>): ServerProcess {
  // Nothing of the test runner's database, store or module settings leaks into the server.
  const base = { ...process.env };
  for (const key of ['DATABASE_URL', 'MIGRATION_DATABASE_URL', 'REDIS_URL', 'NODE_OPTIONS', 'EXPORT_DIR'])
    delete base[key];
  const child = spawn(process.execPath, [MAIN], {
    env: { ...base, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // The exit code; -1 when a signal ended the process or it could not be started.
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    child.on('error', () => resolve(-1));
  });
  return { child, exited, output: () => output };
}

export async function waitReady(port: number, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
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

// A DATA_DIR the `postgres` OS user can reach (as root, the embedded PostgreSQL runs as that user).
export function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ilr-start-'));
  chmodSync(dir, 0o755);
  return dir;
}

export async function login(port: number, email: string, password: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}
