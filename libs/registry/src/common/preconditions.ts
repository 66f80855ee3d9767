import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ErrorCode } from './errors.js';

// `If-Match: "<version>"` on writes to clinical records (API.md): lost updates are impossible.
export const IfMatch = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined =>
  context.switchToHttp().getRequest<Request>().header('if-match'),
);

export function etag(version: number): string {
  return `"${version}"`;
}

// 428 without If-Match, 412 when it names another version than the stored one.
export function assertIfMatch(ifMatch: string | undefined, currentVersion: number, { required = true } = {}): void {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    if (!required) return;
    throw new DomainError(
      ErrorCode.PreconditionRequired,
      "This write needs an If-Match header with the record's ETag.",
    );
  }
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (!tags.includes(etag(currentVersion))) {
    throw new DomainError(
      ErrorCode.PreconditionFailed,
      'The record has changed since you read it: reload it and apply your change again.',
      {
        extensions: { currentVersion },
      },
    );
  }
}

export interface IdempotencyRequest {
  key: string;
  requestHash: string;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

// `Idempotency-Key` on creating POSTs: the key with a hash of what was asked (method, path and the
// body with its keys sorted), so that a retry of the same request is recognised and another is not.
export const Idempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyRequest | undefined => {
    const request = context.switchToHttp().getRequest<Request>();
    const key = request.header('idempotency-key');
    if (key === undefined) return undefined;
    if (!KEY_PATTERN.test(key)) {
      throw DomainError.validation([
        {
          field: 'Idempotency-Key',
          code: 'invalid_format',
          message: 'Idempotency-Key must be 1–255 visible ASCII characters',
        },
      ]);
    }
    const requestHash = createHash('sha256')
      .update(JSON.stringify([request.method, request.baseUrl + request.path, canonical(request.body ?? null)]))
      .digest('hex');
    return { key, requestHash };
  },
);
