import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { runServer } from './server-process.js';
import { openApiValidator, type OpenApiValidator } from './openapi-validator.js';

// Several API processes of the built server (`node dist/apps/api/src/main.js`, as `npm start` runs
// it; build first) on one database, each on its own port: what a load balancer would front.

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface ApiProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  // Everything the process wrote to stdout and stderr (JSON log lines).
  output(): string;
  // SIGTERM, then SIGKILL if it has not exited in time; resolves once it has exited.
  stop(): Promise<void>;
}

export interface ApiResponse<B = any> {
  status: number;
  headers: Headers;
  body: B;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  // Read the body as bytes (a downloaded file) instead of JSON.
  raw?: boolean;
}

// Ports for `count` processes, held open together so that no two are the same, then released.
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      servers.push(
        await new Promise<Server>((resolve) => {
          const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
        }),
      );
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function spawnApi(name: string, port: number, env: Record<string, string>): ApiProcess {
  const { child, exited, output } = runServer({ ...env, PORT: String(port) });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return { name, port, pid: child.pid!, child, exited, output, stop };
}

async function waitReady(api: ApiProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (api.child.exitCode !== null || api.child.signalCode !== null) {
      throw new Error(`${api.name} exited before it was ready:\n${api.output().slice(-4000)}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${api.port}/health/ready`, {
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${api.name} was not ready within ${READY_TIMEOUT_MS} ms:\n${api.output().slice(-4000)}`);
}

// Starts `count` processes at once with the same environment, each on its own port, and waits
// until every one answers /health/ready. Each process is pushed onto `started` as soon as it is
// spawned, so that the caller's afterAll stops it even if start-up fails part-way.
export async function startApiProcesses(
  count: number,
  env: Record<string, string>,
  started: ApiProcess[],
): Promise<ApiProcess[]> {
  const ports = await freePorts(count);
  const apis = ports.map((port, i) => spawnApi(`API process ${i + 1} (port ${port})`, port, env));
  started.push(...apis);
  await Promise.all(apis.map(waitReady));
  return apis;
}

export async function stopAll(apis: ApiProcess[]): Promise<void> {
  await Promise.all(apis.map((api) => api.stop().catch(() => undefined)));
}

// One HTTP request to one process (real HTTP, no keep-alive assumptions).
export async function call<B = any>(
  api: ApiProcess,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<B>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`http://127.0.0.1:${api.port}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  let body: unknown = bytes;
  if (!options.raw) {
    const text = bytes.toString('utf8');
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
  }
  // The same check as the in-process client (openapi-validator.ts): the built server keeps to openapi.json too.
  const problems = openApiValidator().check(method, path, {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    text: bytes.toString('utf8'),
  } as unknown as Parameters<OpenApiValidator['check']>[2]);
  if (problems.length > 0) throw new Error(`Response does not match openapi.json:\n  ${problems.join('\n  ')}`);
  return { status: response.status, headers: response.headers, body: body as B };
}

export async function login(api: ApiProcess, email: string, password: string): Promise<ApiResponse> {
  return call(api, 'POST', '/api/v1/auth/login', { body: { email, password } });
}

// A signed-in session's access token (the login must succeed).
export async function tokenFor(api: ApiProcess, email: string, password: string): Promise<string> {
  const response = await login(api, email, password);
  if (response.status !== 200) throw new Error(`login on ${api.name} failed with ${response.status}`);
  return response.body.accessToken as string;
}
