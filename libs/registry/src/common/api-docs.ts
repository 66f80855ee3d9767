import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';

// The OpenAPI side of the HTTP conventions in API.md, as decorators beside the routes that follow them.
// apps/api/src/openapi.ts reads what these declare (If-Match, Idempotency-Key, a request body, a path
// parameter, credentials) to add each operation's problem responses, so a route documents its errors by
// declaring its headers, not by listing statuses.
const header = (component: string) => ({ $ref: `#/components/headers/${component}` }) as never;

// Response headers by name → their component in openapi.ts.
const HEADER_COMPONENTS = {
  'Content-Disposition': 'ContentDisposition',
  Digest: 'Digest',
  'Export-Date': 'ExportDate',
} as const;

// A clinical record answered with its version as ETag (reply.ts `withETag`).
export function ApiRecordResponse(type: Type<unknown>, options: { status?: 200; description?: string } = {}) {
  return ApiResponse({
    status: options.status ?? 200,
    type,
    description: options.description ?? 'The record; ETag is its version',
    headers: { ETag: header('ETag') },
  });
}

// 201 from reply.ts `created`: Location and ETag, and Idempotent-Replayed on an answered retry.
export function ApiCreatedRecord(type: Type<unknown>, description = 'Created') {
  return ApiResponse({
    status: 201,
    type,
    description,
    headers: {
      Location: header('Location'),
      ETag: header('ETag'),
      'Idempotent-Replayed': header('IdempotentReplayed'),
    },
  });
}

// `If-Match` (preconditions.ts): required → 428 without it; always 412 when it names another version.
export function ApiIfMatch(required: boolean) {
  return ApiHeader({
    name: 'If-Match',
    required,
    description: 'The ETag of the record as read',
    schema: { type: 'string', example: '"3"' },
  });
}

// `Idempotency-Key` on creating POSTs: a retry with the same key and body gets the first answer; the
// same key with another body is a 409.
export function ApiIdempotencyKey() {
  return ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retries with the same key and body return the first response (1–255 visible ASCII characters)',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
  });
}

// One 200 answer in several media types: JSON (`schema`, or a class), and the same figures as CSV.
// With `download`, the CSV answer comes as an attachment (Content-Disposition, absent from the JSON one).
export function ApiJsonOrCsv(
  json: Type<unknown> | SchemaObject,
  description: string,
  options: { download?: boolean } = {},
) {
  const schema = typeof json === 'function' ? { $ref: getSchemaPath(json) } : json;
  return applyDecorators(
    ...(typeof json === 'function' ? [ApiExtraModels(json)] : []),
    ApiResponse({
      status: 200,
      description,
      ...(options.download
        ? {
            headers: {
              'Content-Disposition': {
                description: 'CSV only: attachment, with the file name',
                required: false,
                schema: { type: 'string' },
              },
            },
          }
        : {}),
      content: {
        'application/json': { schema },
        'text/csv': { schema: { type: 'string', description: 'One CSV table (RFC 4180), UTF-8, header row first' } },
      },
    }),
  );
}

// A text answer in one or more media types (HTML pages, streamed files).
export function ApiTextResponse(
  mediaTypes: string[],
  description: string,
  headers: Array<keyof typeof HEADER_COMPONENTS> = [],
) {
  return ApiResponse({
    status: 200,
    description,
    content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: 'string' } }])),
    ...(headers.length
      ? { headers: Object.fromEntries(headers.map((name) => [name, header(HEADER_COMPONENTS[name])])) }
      : {}),
  });
}

// A 200 answer in media types of its own, each with its schema (a class or a schema object): e.g.
// `{ 'application/fhir+json': { type: 'object', required: ['resourceType'] } }`.
export function ApiContent(content: Record<string, Type<unknown> | SchemaObject>, description: string) {
  const classes = Object.values(content).filter((schema): schema is Type<unknown> => typeof schema === 'function');
  return applyDecorators(
    ApiExtraModels(...classes),
    ApiResponse({
      status: 200,
      description,
      content: Object.fromEntries(
        Object.entries(content).map(([media, schema]) => [
          media,
          { schema: typeof schema === 'function' ? { $ref: getSchemaPath(schema) } : schema },
        ]),
      ),
    }),
  );
}
