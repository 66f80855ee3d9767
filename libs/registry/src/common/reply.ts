import type { Response } from 'express';
import { etag } from './preconditions.js';

// The one way the API sets a record's ETag and, on creation, its Location (API.md): services return
// records and versions, controllers turn them into headers here.
export function withETag<T>(response: Response, version: number, body: T): T {
  response.setHeader('ETag', etag(version));
  return body;
}

// 201 with Location and ETag; `Idempotent-Replayed: true` when an Idempotency-Key retry was answered
// from the record the first request created.
export function created<T>(
  response: Response,
  location: string,
  result: { id: string; version: number; body: T; replayed?: boolean },
): T {
  response.status(201);
  response.setHeader('Location', `${location}/${result.id}`);
  if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
  return withETag(response, result.version, result.body);
}
