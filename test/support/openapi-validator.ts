import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import request, { type Response } from 'supertest';

// Every response in the e2e suite is checked against the committed openapi.json (the hook is in
// `client()` below, used by test/support/app.ts `http()` and the factories): its path and method,
// its status, its media type, its body (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses) and the
// headers the API sets; and every JSON request body the API accepted, against the documented one. Anything undocumented fails the test that caused it, naming what is missing.

type Json = Record<string, unknown>;
interface MediaTypeObject {
  schema?: Json;
}
interface HeaderObject {
  required?: boolean;
  schema?: Json;
  $ref?: string;
}
interface ResponseObject {
  $ref?: string;
  description?: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaTypeObject>;
}
interface OperationObject {
  operationId?: string;
  requestBody?: { content?: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject>;
}
interface Document {
  paths: Record<string, Record<string, OperationObject>>;
  components: { responses: Record<string, ResponseObject>; headers: Record<string, HeaderObject> };
}

export const OPENAPI_FILE = join(process.cwd(), 'openapi.json');

// Served by SwaggerModule, not by the API: the UI's HTML, scripts and styles, and the document itself
// (which test/e2e/openapi.e2e.spec.ts compares with openapi.json instead).
// And the web front end (apps/api/src/web-pages.ts): every path outside /api and /health is its pages (index.html
// for client routes, hashed bundles under /assets), which are not part of the API and not in its document.
const EXCLUDED = [/^\/api\/docs(\/.*)?$/, /^\/api\/docs-json$/, /^\/(?!api(\/|$)|health(\/|$))/];

// Headers the API's own code sets (reply.ts, the rate limit, the problem filter, the exports): sent
// on a response that does not document them, they fail the check.
const API_HEADERS = [
  'etag',
  'location',
  'idempotent-replayed',
  'retry-after',
  'content-disposition',
  'digest',
  'www-authenticate',
  'export-date',
  ...['ip', 'credential'].flatMap((name) => [
    `x-ratelimit-limit-${name}`,
    `x-ratelimit-remaining-${name}`,
    `x-ratelimit-reset-${name}`,
    `retry-after-${name}`,
  ]),
];

const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/;

export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ template: string; pattern: RegExp; params: number }>;

  constructor(readonly document: Document) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, verbose: true });
    addFormats.default(this.ajv);
    this.ajv.addFormat('password', true);
    this.ajv.addSchema(closeObjects(structuredClone(document)) as unknown as Json, 'openapi.json');
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        params: (template.match(/\{/g) ?? []).length,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      }))
      // A literal segment wins over a parameter (`/exports/dictionary` before `/exports/{id}`).
      .sort((a, b) => a.params - b.params);
  }

  static fromFile(file = OPENAPI_FILE): OpenApiValidator {
    return new OpenApiValidator(JSON.parse(readFileSync(file, 'utf8')) as Document);
  }

  // The problems with one response (empty when it matches the document).
  check(method: string, url: string, response: Response): string[] {
    const path = decodeURI(new URL(url, 'http://localhost').pathname).replace(/(.)\/$/, '$1');
    const rawPath = new URL(url, 'http://localhost').pathname;
    if (EXCLUDED.some((pattern) => pattern.test(rawPath))) return [];
    const lower = method.toLowerCase();
    const route = this.routes.find((r) => r.pattern.test(rawPath) || r.pattern.test(path));
    const operation = route ? this.document.paths[route.template][lower] : undefined;
    const where = `${method.toUpperCase()} ${rawPath} → ${response.status}`;
    if (!route || !operation) {
      // No such route: Nest's 404, which must still be the documented problem.
      if (response.status !== 404) return [`${where}: no documented operation for ${method.toUpperCase()} ${rawPath}`];
      return this.checkBody(
        where,
        '#/components/responses/Problem404',
        this.resolve({ $ref: '#/components/responses/Problem404' }),
        response,
      );
    }
    const status = String(response.status);
    const declared =
      operation.responses[status] ?? operation.responses[`${status[0]}XX`] ?? operation.responses.default;
    if (!declared) {
      return [
        `${where}: status ${status} is not documented for ${operation.operationId} (documented: ${Object.keys(operation.responses).join(', ')})`,
      ];
    }
    const key = Object.keys(operation.responses).find((k) => operation.responses[k] === declared)!;
    const pointer = declared.$ref ?? `#/paths/${escape(route.template)}/${lower}/responses/${key}`;
    const resolved = this.resolve(declared);
    const headers = this.checkHeaders(where, resolved, response);
    const request = this.checkRequest(where, route.template, lower, operation, response);
    return lower === 'head' ? headers : [...request, ...headers, ...this.checkBody(where, pointer, resolved, response)];
  }

  // A JSON body the API accepted (2xx) must be one the document allows: a server more lenient than
  // its document (a field it takes but does not describe, a looser range) fails here. Refused bodies
  // are not checked, since many tests send invalid ones on purpose.
  private checkRequest(
    where: string,
    template: string,
    method: string,
    operation: OperationObject,
    response: Response,
  ): string[] {
    if (response.status < 200 || response.status >= 300) return [];
    const sent = (response as unknown as { request?: { _data?: unknown } }).request?._data;
    if (sent === undefined || typeof sent !== 'object' || sent === null || Buffer.isBuffer(sent)) return [];
    if (!operation.requestBody?.content?.['application/json']?.schema)
      return [`${where}: a JSON request body was accepted but ${operation.operationId} documents none`];
    const ref = `openapi.json#/paths/${escape(template)}/${method}/requestBody/content/${escape('application/json')}/schema`;
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    if (validate(sent)) return [];
    return (validate.errors ?? [])
      .slice(0, 10)
      .map(
        (error) =>
          `${where}: accepted request body${error.instancePath || ''} ${error.message}${error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : ''} (schema ${error.schemaPath})`,
      );
  }

  private resolve<T extends { $ref?: string }>(object: T): T {
    if (!object.$ref) return object;
    const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(object.$ref)!;
    return (this.document.components as unknown as Record<string, Record<string, T>>)[kind][name];
  }

  private checkHeaders(where: string, declared: ResponseObject, response: Response): string[] {
    const problems: string[] = [];
    const documented = new Map(
      Object.entries(declared.headers ?? {}).map(([name, header]) => [name.toLowerCase(), this.resolve(header)]),
    );
    for (const name of API_HEADERS) {
      if (response.headers[name] !== undefined && !documented.has(name))
        problems.push(`${where}: header ${name} is sent but not documented`);
    }
    for (const [name, header] of documented) {
      const value = response.headers[name] as string | undefined;
      if (value === undefined) {
        if (header.required) problems.push(`${where}: documented header ${name} is missing`);
        continue;
      }
      if (!header.schema) continue;
      const key = JSON.stringify(header.schema);
      let validate = this.compiled.get(key);
      if (!validate) {
        validate = this.ajv.compile(header.schema);
        this.compiled.set(key, validate);
      }
      // A header is text; an integer header must be the digits of one.
      const typed = header.schema.type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
      if (!validate(typed))
        problems.push(`${where}: header ${name} ${JSON.stringify(value)} ${validate.errors?.[0]?.message}`);
    }
    return problems;
  }

  private checkBody(where: string, pointer: string, declared: ResponseObject, response: Response): string[] {
    const contentType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const content = declared.content ?? {};
    if (Object.keys(content).length === 0) {
      const empty = response.text === undefined || response.text === '';
      return empty ? [] : [`${where}: a body (${contentType || 'no content type'}) where none is documented`];
    }
    const media = content[contentType];
    if (!media)
      return [
        `${where}: media type "${contentType}" is not documented (documented: ${Object.keys(content).join(', ')})`,
      ];
    if (!media.schema) return [`${where}: no schema documented for ${contentType}`];
    // The raw text, wherever supertest put it: a test with its own parser gets `text` undefined and the
    // parsed (or buffered) value in `body`.
    const raw =
      response.text ??
      (typeof response.body === 'string'
        ? response.body
        : Buffer.isBuffer(response.body)
          ? response.body.toString('utf8')
          : undefined);
    let body: unknown;
    if (JSON_MEDIA.test(contentType)) {
      try {
        body = raw !== undefined && raw !== '' ? JSON.parse(raw) : response.body;
      } catch {
        return [`${where}: ${contentType} body is not JSON`];
      }
    } else {
      body = raw ?? '';
    }
    const ref = `openapi.json${pointer}/content/${escape(contentType)}/schema`;
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? [])
      .slice(0, 10)
      .map(
        (error) =>
          `${where}: body${error.instancePath || ''} ${error.message}${error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : ''}, is ${JSON.stringify(error.data)?.slice(0, 120)} (schema ${error.schemaPath})`,
      );
  }
}

// The published document leaves objects open (clients should tolerate fields added later); the check
// closes them, so that a field the API sends but the document does not describe fails the test that
// received it. Every object schema with `properties` and no rule of its own for other members gets
// `unevaluatedProperties: false`, which also sees the members of an `allOf`; those members themselves
// stay open, since each describes only part of the object.
function closeObjects(node: unknown, inAllOf = false): unknown {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item, inAllOf);
    return node;
  }
  if (!node || typeof node !== 'object') return node;
  const schema = node as Json;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'allOf' && Array.isArray(value)) for (const member of value) closeObjects(member, true);
    else if (key === 'properties' && value && typeof value === 'object')
      for (const property of Object.values(value)) closeObjects(property);
    else closeObjects(value);
  }
  const described = schema.properties !== undefined || Array.isArray(schema.allOf);
  const open = ['additionalProperties', 'patternProperties', 'unevaluatedProperties'].some((k) => k in schema);
  if (described && !open && !inAllOf) schema.unevaluatedProperties = false;
  return node;
}

// JSON Pointer escaping (RFC 6901) of one reference token, URI-encoded for use in a $ref.
function escape(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

let shared: OpenApiValidator | undefined;
export function openApiValidator(): OpenApiValidator {
  shared ??= OpenApiValidator.fromFile();
  return shared;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

// supertest against the server, with every response checked against openapi.json: a mismatch fails
// the request's promise (an assertion, as `.expect()` does) with every problem found.
export function client(server: Server): ReturnType<typeof request> {
  const agent = request(server);
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || !(METHODS as readonly string[]).includes(String(property))) return value;
      return (url: string, ...rest: unknown[]) => {
        const test = (value as (url: string, ...rest: unknown[]) => request.Test).call(target, url, ...rest);
        return test.expect((response: Response) => {
          const problems = openApiValidator().check(String(property), url, response);
          if (problems.length > 0) throw new Error(`Response does not match openapi.json:\n  ${problems.join('\n  ')}`);
        });
      };
    },
  });
}
