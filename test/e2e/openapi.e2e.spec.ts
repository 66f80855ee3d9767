import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { serializeOpenApi } from '../../apps/api/src/openapi.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import { OPENAPI_FILE, OpenApiValidator } from '../support/openapi-validator.js';

const run = promisify(execFile);
const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

type Operation = {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
};

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let served: { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };
  let work: string;

  beforeAll(async () => {
    t = await startTestApp();
    served = (await t.http().get('/api/docs-json').expect(200)).body;
    work = mkdtempSync(join(tmpdir(), 'ilr-openapi-'));
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await t.close();
  });

  const operations = () =>
    Object.entries(served.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method] })),
    );

  it('is committed as openapi.json exactly as the server produces it (npm run openapi rewrites it)', () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    expect(JSON.parse(committed)).toEqual(served);
    expect(committed).toBe(serializeOpenApi(served as never));
  });

  it('is OpenAPI 3.1 with an id, a summary, a 4xx and a problem+json schema on every operation', () => {
    expect((served as unknown as { openapi: string }).openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, operation.operationId]).toEqual([where, expect.stringMatching(/^[a-z][A-Za-z]+$/)]);
      expect(ids.has(operation.operationId!)).toBe(false);
      ids.add(operation.operationId!);
      expect([where, typeof operation.summary]).toEqual([where, 'string']);
      const errors = Object.keys(operation.responses).filter((status) => Number(status) >= 400);
      expect([where, errors]).toEqual([where, expect.arrayContaining(['400', '500'])]);
      for (const status of errors) {
        const response = operation.responses[status];
        const resolved = response.$ref
          ? (served.components.responses[response.$ref.split('/').pop()!] as typeof response)
          : response;
        expect([where, status, resolved.content?.['application/problem+json']?.schema?.$ref]).toEqual([
          where,
          status,
          '#/components/schemas/Problem',
        ]);
      }
    }
  });

  it('marks public routes with security: [] and every other route with bearer auth and 401/403', () => {
    const publicRoutes = operations()
      .filter(({ operation }) => operation.security?.length === 0)
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    // The patient's questionnaire is reached by the token of an emailed link, without an account.
    expect(publicRoutes.sort()).toEqual([
      'GET /api/v1/questionnaire/{token}',
      'GET /health',
      'GET /health/ready',
      'POST /api/v1/auth/login',
      'POST /api/v1/questionnaire/unsubscribe',
      'POST /api/v1/questionnaire/{token}/submit',
      'PUT /api/v1/questionnaire/{token}/answers',
    ]);
    for (const { operation } of operations().filter(({ operation }) => operation.security?.length)) {
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('documents the precondition and idempotency statuses where the headers are declared', () => {
    const patch = served.paths['/api/v1/cases/{id}'].patch;
    expect(Object.keys(patch.responses)).toEqual(expect.arrayContaining(['404', '412', '428']));
    expect(Object.keys(served.paths['/api/v1/cases/{id}/sign'].post.responses)).not.toContain('428');
    expect(Object.keys(served.paths['/api/v1/cases'].post.responses)).toEqual(
      expect.arrayContaining(['201', '409', '413', '415']),
    );
    expect(Object.keys(served.paths['/health'].get.responses)).not.toContain('429');
  });

  it('passes redocly lint (recommended rules) with zero errors', async () => {
    const { stdout } = await run(bin('redocly'), ['lint', OPENAPI_FILE, '--format=json'], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout: string }) => error);
    const result = JSON.parse(stdout) as {
      totals: { errors: number };
      problems: Array<{ severity: string; message: string }>;
    };
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.totals.errors).toBe(0);
  });

  it('passes swagger-parser validation (every $ref resolves, the schema is OpenAPI 3.1)', async () => {
    // In its own process: swagger-parser's ESM dependencies do not load in Jest's module registry.
    const script =
      "const { default: parser } = await import('@apidevtools/swagger-parser');" +
      'const api = await parser.validate(process.env.OPENAPI_FILE);' +
      'process.stdout.write(JSON.stringify({ openapi: api.openapi, paths: Object.keys(api.paths).length }));';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, OPENAPI_FILE, NODE_OPTIONS: '' },
    });
    expect(JSON.parse(stdout)).toEqual({ openapi: '3.1.0', paths: Object.keys(served.paths).length });
  });

  it('generates TypeScript types (openapi-typescript) that compile and type a real case response', async () => {
    const auth = { Authorization: `Bearer ${(await t.factories.newSurgeon()).token}` };
    const created = await t.http().post('/api/v1/cases').set(auth).send(newCaseBody()).expect(201);
    const caseId = created.body.id as string;
    await t
      .http()
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .set(auth)
      .send({
        visitDate: '2025-03-01',
        contactMode: 'clinic',
        snapping: 'painful',
        groinPain: 6,
        proms: {
          mhhs: { pain: 'mild', limp: 'slight', support: 'none', distance: 'six_blocks' },
          ihot12: [30, 40, 50, 40, 30, 40, 50, 40, 30, 40, 50, null],
        },
      })
      .expect(201);
    await t
      .http()
      .post(`/api/v1/cases/${caseId}/complications`)
      .set(auth)
      .send({
        type: 'recurrent_snapping',
        onsetDate: '2025-09-01',
        recurrenceCause: 'bifid_tendon',
        sinkGrade: 3,
        clavienDindo: 'IIIb',
        reoperation: { date: '2025-11-20', procedure: 'revision_release' },
      })
      .expect(201);
    const read = await t.http().get(`/api/v1/cases/${caseId}`).set(auth).expect(200);
    expect(read.body.followUps[0].proms.mhhs).toBeDefined();
    expect(read.body.complications).toHaveLength(1);
    const problem = await t.http().get('/api/v1/cases/not-a-uuid').set(auth).expect(400);

    await run(bin('openapi-typescript'), [OPENAPI_FILE, '-o', join(work, 'api.d.ts')]);
    writeFileSync(
      join(work, 'use.ts'),
      [
        "import type { components } from './api.js';",
        `export const read: components['schemas']['CaseResponse'] = ${JSON.stringify(read.body, null, 2)};`,
        `export const problem: components['schemas']['Problem'] = ${JSON.stringify(problem.body, null, 2)};`,
        '',
      ].join('\n'),
    );
    const compiled = await run(
      bin('tsc'),
      ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--skipLibCheck', join(work, 'use.ts')],
      { maxBuffer: 16 * 1024 * 1024, cwd: work },
    ).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(compiled).toBe('');
    // And the types are not vacuous: a wrong value is a compile error.
    writeFileSync(
      join(work, 'wrong.ts'),
      "import type { components } from './api.js';\nexport const wrong: components['schemas']['CaseResponse']['followUps'] = [{ id: 1 }];\n",
    );
    const wrong = await run(bin('tsc'), ['--noEmit', '--strict', '--module', 'nodenext', join(work, 'wrong.ts')], {
      cwd: work,
    }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(wrong).toMatch(/wrong\.ts\(2,\d+\): error TS2322/);
  }, 120_000);
});

describe('the response validator of the e2e suite (test/support/openapi-validator.ts)', () => {
  const validator = OpenApiValidator.fromFile();
  const response = (status: number, contentType: string | undefined, text: string, headers = {}) =>
    ({
      status,
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
      text,
    }) as unknown as Response;

  it('accepts a documented response', () => {
    expect(
      validator.check('get', '/health', response(200, 'application/json; charset=utf-8', '{"status":"ok"}')),
    ).toEqual([]);
  });

  it('rejects an undocumented status, body, media type, header and route', () => {
    expect(validator.check('get', '/health', response(418, 'application/json', '{}'))[0]).toContain(
      'status 418 is not documented for healthLive',
    );
    expect(validator.check('get', '/health', response(200, 'application/json', '{"status":"down"}'))[0]).toContain(
      'body/status must be equal to one of the allowed values',
    );
    expect(validator.check('get', '/health', response(200, 'text/plain', 'ok'))[0]).toContain(
      'media type "text/plain" is not documented',
    );
    expect(
      validator.check('get', '/health', response(200, 'application/json', '{"status":"ok"}', { etag: '"1"' }))[0],
    ).toContain('header etag is sent but not documented');
    expect(validator.check('get', '/api/v1/nowhere', response(200, 'application/json', '{}'))[0]).toContain(
      'no documented operation',
    );
  });

  it('rejects a field the document does not describe, at any depth, also in a problem', () => {
    expect(
      validator.check('get', '/health', response(200, 'application/json', '{"status":"ok","uptime":3}'))[0],
    ).toContain('must NOT have unevaluated properties {"unevaluatedProperty":"uptime"}');
    const problem = { type: 'about:blank', title: 'Not found', status: 404, correlationId: 'x', stack: 'at …' };
    expect(
      validator.check('get', '/api/v1/nowhere', response(404, 'application/problem+json', JSON.stringify(problem)))[0],
    ).toContain('"unevaluatedProperty":"stack"');
    const withExtraError = {
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      correlationId: 'x',
      errors: [{ field: 'side', code: 'invalid_code', message: 'side must be one of: left, right', value: 'up' }],
    };
    expect(
      validator.check(
        'get',
        '/api/v1/cases',
        response(400, 'application/problem+json', JSON.stringify(withExtraError)),
      )[0],
    ).toMatch(
      /body\/errors\/0 must NOT have (additional|unevaluated) properties \{"(additional|unevaluated)Property":"value"\}/,
    );
  });

  it('rejects a request body the API accepted but the document does not allow', () => {
    const accepted = (data: unknown) =>
      ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        text: '{}',
        request: { _data: data },
      }) as unknown as Response;
    const login = (data: unknown) => validator.check('post', '/api/v1/auth/login', accepted(data)).join('\n');
    expect(login({ email: 'a@example.org', password: 'x', remember: true })).toContain(
      'accepted request body must NOT have unevaluated properties {"unevaluatedProperty":"remember"}',
    );
    expect(login({ email: 'a@example.org', password: 'x' })).not.toContain('accepted request body');
    expect(validator.check('get', '/health', { ...accepted({ any: 1 }), text: '{"status":"ok"}' } as Response)).toEqual(
      ['GET /health → 200: a JSON request body was accepted but healthLive documents none'],
    );
  });

  it('checks error bodies against the Problem schema', () => {
    const problem = { type: 'about:blank', title: 'Not found', status: 404, correlationId: 'x' };
    expect(
      validator.check('get', '/api/v1/nowhere', response(404, 'application/problem+json', JSON.stringify(problem))),
    ).toEqual([]);
    expect(
      validator.check(
        'get',
        '/api/v1/cases/1',
        response(400, 'application/problem+json', JSON.stringify({ ...problem, status: 'bad' })),
      )[0],
    ).toContain('body/status must be integer');
  });

  it('requires the documented ETag of a record', () => {
    const problems = validator.check('get', '/api/v1/patients/00000000-0000-4000-8000-000000000000', {
      status: 200,
      headers: { 'content-type': 'application/json' },
      text: '{}',
    } as unknown as Response);
    expect(problems.join('\n')).toContain('documented header etag is missing');
    const malformed = validator.check('get', '/api/v1/patients/00000000-0000-4000-8000-000000000000', {
      status: 200,
      headers: { 'content-type': 'application/json', etag: 'W/"abc"' },
      text: '{}',
    } as unknown as Response);
    expect(malformed.join('\n')).toContain('header etag "W/\\"abc\\"" must match pattern');
  });
});
