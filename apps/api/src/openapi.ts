import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorCode, MAX_FIELD_ERRORS, PROBLEM_TYPE_BASE, THROTTLERS, throttledPath } from '@ilr/registry';

// The OpenAPI document, from the routes' decorators and the DTOs' metadata (@nestjs/swagger), finished
// here in one place: OpenAPI 3.1 (null as a type), `security: []` on public routes, and on every
// operation the problem+json answers it can give, derived from what the route declares. Served at
// /api/docs-json and committed as openapi.json (`npm run openapi`; test/e2e/openapi.e2e.spec.ts).

type Json = Record<string, unknown>;
type Operation = {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  requestBody?: unknown;
  responses: Record<string, Json>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

// Why each status can happen; an operation gets the ones its declaration implies.
const PROBLEM_STATUSES: Record<number, string> = {
  400: 'Invalid request: a field, query or path parameter, header or the JSON body itself (see `errors`)',
  401: 'No valid credentials',
  403: 'The role may not do this',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflict with the stored state',
  412: 'If-Match names another version than the stored one (`currentVersion` says which)',
  413: 'The request body is larger than the service accepts',
  415: 'The request body is not UTF-8 JSON',
  428: 'If-Match is required',
  429: 'Too many requests; Retry-After says when to try again',
  500: 'Unexpected error; quote the correlation id',
  503: 'Service not ready',
};

// @nestjs/throttler's headers of the two limits that send them (rate-limit.guard.ts): per address on every
// limited route, per credential on the authenticated ones; `Retry-After-<name>` with a 429.
const LIMITS = [THROTTLERS.ip, THROTTLERS.credential] as const;
const rateLimitHeaders = (limits: readonly string[], retry: boolean): Record<string, Json> =>
  Object.fromEntries(
    limits.flatMap((name) => [
      ...['Limit', 'Remaining', 'Reset'].map((part) => [
        `X-RateLimit-${part}-${name}`,
        { $ref: `#/components/headers/X-RateLimit-${part}-${name}` },
      ]),
      ...(retry ? [[`Retry-After-${name}`, { $ref: `#/components/headers/Retry-After-${name}` }]] : []),
    ]),
  );
const rateLimitHeaderComponents = Object.fromEntries(
  LIMITS.flatMap((name) => [
    [
      `X-RateLimit-Limit-${name}`,
      { description: `Requests allowed per window (${name} limit)`, schema: { type: 'integer' } },
    ],
    [
      `X-RateLimit-Remaining-${name}`,
      { description: `Requests left in the window (${name} limit)`, schema: { type: 'integer' } },
    ],
    [
      `X-RateLimit-Reset-${name}`,
      { description: `Seconds until the window resets (${name} limit)`, schema: { type: 'integer' } },
    ],
    [
      `Retry-After-${name}`,
      { description: `Seconds until the ${name} limit lets requests through`, schema: { type: 'integer' } },
    ],
  ]),
);

const components = {
  schemas: {
    FieldError: {
      type: 'object',
      required: ['field', 'code', 'message'],
      properties: {
        field: {
          type: 'string',
          description: 'JSON path into the request (`release.location`, `portals[2]`), or the header/parameter name',
          examples: ['release.location'],
        },
        code: { type: 'string', description: 'Machine-readable reason', examples: ['invalid_code'] },
        message: { type: 'string' },
      },
      additionalProperties: false,
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details, with this service’s extensions',
      required: ['type', 'title', 'status', 'correlationId'],
      properties: {
        type: {
          type: 'string',
          format: 'uri',
          description: `${PROBLEM_TYPE_BASE}<code>, or about:blank`,
          examples: [`${PROBLEM_TYPE_BASE}${ErrorCode.ValidationFailed}`],
        },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string' },
        instance: { type: 'string', format: 'uri-reference' },
        code: { type: 'string', enum: Object.values(ErrorCode) },
        errors: {
          type: 'array',
          maxItems: MAX_FIELD_ERRORS,
          items: { $ref: '#/components/schemas/FieldError' },
        },
        errorsOmitted: { type: 'integer', minimum: 1, description: 'Field errors beyond the first ones listed' },
        correlationId: { type: 'string', description: 'Also in the X-Correlation-Id header and the logs' },
        existingId: { type: 'string', format: 'uuid', description: 'A duplicate MRN: the patient that has it' },
        currentVersion: { type: 'integer', description: 'A failed If-Match: the stored version' },
        jobStatus: { type: 'string', description: 'An export file asked for before its job is done' },
        problem: {
          type: 'string',
          description: 'A malformed import file: what is wrong with it',
          enum: [
            'empty',
            'binary',
            'invalid_encoding',
            'bad_quoting',
            'cell_too_large',
            'ragged_row',
            'missing_columns',
            'unknown_columns',
            'duplicate_headers',
          ],
        },
        line: {
          type: ['integer', 'null'],
          description:
            'A malformed import file: the line at fault (the header is line 1), or null for the file as a whole',
        },
        columns: {
          type: 'array',
          items: { type: 'string' },
          description: 'A malformed import file: the columns missing, unknown or named twice',
        },
        checks: {
          type: 'object',
          description: 'Readiness: the state of each check',
          properties: {
            database: { type: 'string', enum: ['up', 'down'] },
            migrations: { type: 'string', enum: ['applied', 'pending', 'unknown'] },
          },
        },
      },
    },
  },
  headers: {
    ETag: {
      description: 'The record’s version, `"<version>"`; send it back as If-Match',
      required: true,
      schema: { type: 'string', pattern: '^"\\d+"$' },
    },
    Location: {
      description: 'Where the created resource is',
      required: true,
      schema: { type: 'string', format: 'uri-reference' },
    },
    IdempotentReplayed: {
      description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
      schema: { type: 'string', enum: ['true'] },
    },
    RetryAfter: {
      description: 'Seconds until the limit resets',
      required: true,
      schema: { type: 'integer', minimum: 0 },
    },
    ContentDisposition: {
      description: 'attachment, with the file name',
      required: true,
      schema: { type: 'string' },
    },
    WWWAuthenticate: { description: 'Bearer', schema: { type: 'string' } },
    ExportDate: {
      description: "The registry's today when the export ran: the date the windowClosed_* columns refer to",
      required: true,
      schema: { type: 'string', format: 'date' },
    },
    ...rateLimitHeaderComponents,
    Digest: { description: 'sha-256=<base64 of the file’s SHA-256> (RFC 3230)', schema: { type: 'string' } },
  },
};

// OpenAPI 3.0 `nullable` (what @nestjs/swagger writes) → 3.1 type arrays, in place and recursively.
function toJsonSchema2020(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(toJsonSchema2020);
  if (!node || typeof node !== 'object') return;
  const schema = node as Json;
  for (const value of Object.values(schema)) toJsonSchema2020(value);
  // `allOf: [{ $ref }]` is how 3.0 put a description beside a reference; 3.1 allows `$ref` siblings.
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && typeof schema.allOf[0]?.$ref === 'string') {
    schema.$ref = schema.allOf[0].$ref;
    delete schema.allOf;
  }
  if (!('nullable' in schema)) return;
  const nullable = schema.nullable === true;
  delete schema.nullable;
  if (!nullable) return;
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type)) {
    if (!schema.type.includes('null')) schema.type = [...schema.type, 'null'];
  } else if (typeof schema.$ref === 'string' || Array.isArray(schema.allOf) || Array.isArray(schema.oneOf)) {
    // A nullable reference (or composition): either the referenced schema or null.
    const alternatives = typeof schema.$ref === 'string' ? [{ $ref: schema.$ref }] : [];
    for (const key of ['allOf', 'oneOf'] as const) {
      if (Array.isArray(schema[key])) alternatives.push(...(schema[key] as Array<{ $ref: string }>));
      delete schema[key];
    }
    delete schema.$ref;
    schema.anyOf = [...(alternatives.length === 1 ? alternatives : [{ allOf: alternatives }]), { type: 'null' }];
  } else if (Array.isArray(schema.anyOf)) {
    schema.anyOf = [...schema.anyOf, { type: 'null' }];
  } else if (Array.isArray(schema.enum)) {
    // An enum of strings without a declared type (Nest leaves it out for enum references).
    schema.type = ['string', 'null'];
  }
}

function problemResponse(status: number, description?: string): Json {
  if (description === undefined) return { $ref: `#/components/responses/Problem${status}` };
  // A problem may come before or after the rate limits ran: their headers are possible, never certain.
  const headers: Record<string, Json> = status === 503 ? {} : rateLimitHeaders(LIMITS, status === 429);
  if (status === 429) headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
  if (status === 401) headers['WWW-Authenticate'] = { $ref: '#/components/headers/WWWAuthenticate' };
  return {
    description,
    ...(Object.keys(headers).length ? { headers } : {}),
    content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

// The statuses an operation can answer with a problem, from what it declares.
function problemStatuses(path: string, operation: Operation): Set<number> {
  const parameters = operation.parameters ?? [];
  const header = (name: string) => parameters.find((p) => p.in === 'header' && p.name.toLowerCase() === name);
  // Every request goes through the JSON body guard and the validation pipes: 400 is always possible.
  const statuses = new Set([400, 500]);
  if (operation.requestBody) [413, 415].forEach((s) => statuses.add(s));
  if ((operation.security ?? []).length > 0) [401, 403].forEach((s) => statuses.add(s));
  if (parameters.some((p) => p.in === 'path')) statuses.add(404);
  const ifMatch = header('if-match');
  if (ifMatch) statuses.add(412);
  if (ifMatch?.required) statuses.add(428);
  if (header('idempotency-key')) statuses.add(409);
  if (throttledPath(path)) statuses.add(429);
  // Statuses the route declares itself (a 409 on a duplicate, a 503 when not ready) are problems too.
  for (const status of Object.keys(operation.responses).map(Number)) if (status >= 400) statuses.add(status);
  return statuses;
}

export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  const doc = document as unknown as Json & { paths: Record<string, Record<string, Operation>>; components: Json };
  doc.openapi = '3.1.0';
  toJsonSchema2020(doc.paths);
  toJsonSchema2020(doc.components);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      // Public routes (@Public) carry no security requirement: say so explicitly.
      operation.security ??= [];
      if (throttledPath(path)) {
        const limits = operation.security.length > 0 ? LIMITS : [THROTTLERS.ip];
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400)
            response.headers = { ...(response.headers as Json), ...rateLimitHeaders(limits, false) };
        }
      }
      for (const status of problemStatuses(path, operation)) {
        const declared = operation.responses[String(status)] as { description?: string } | undefined;
        // Nest's defaults for Authorize's 401/403 say nothing more than the shared responses.
        const description = declared?.description === PROBLEM_STATUSES[status] ? undefined : declared?.description;
        operation.responses[String(status)] = problemResponse(status, description);
      }
    }
  }
  const existing = (doc.components ?? {}) as { schemas?: Json; headers?: Json; securitySchemes?: Json };
  doc.components = {
    ...existing,
    schemas: { ...existing.schemas, ...components.schemas },
    headers: { ...existing.headers, ...components.headers },
    responses: Object.fromEntries(
      Object.keys(PROBLEM_STATUSES).map((status) => [
        `Problem${status}`,
        problemResponse(Number(status), PROBLEM_STATUSES[Number(status)]),
      ]),
    ),
  };
  return document;
}

// `Controller.method` → `cases_create`-style ids are unstable under renames of the class only; these
// read as the route's purpose: `casesCreate`, `reportsSurvivalReport`.
function operationId(controllerKey: string, methodKey: string): string {
  const controller = controllerKey.replace(/Controller$/, '');
  return (
    controller.charAt(0).toLowerCase() + controller.slice(1) + methodKey.charAt(0).toUpperCase() + methodKey.slice(1)
  );
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('ILR Registry API')
    .setDescription(
      'Outcomes registry for arthroscopic iliopsoas release. Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addServer('/', 'This service')
    .addBearerAuth()
    .build();
  return finishDocument(SwaggerModule.createDocument(app, config, { operationIdFactory: operationId }));
}

// openapi.json as committed: two-space JSON with a final newline (left alone by prettier, see .prettierignore).
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
