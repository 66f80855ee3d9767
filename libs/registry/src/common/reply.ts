import type { Response } from 'express';
import type { HttpResult } from './preconditions.js';

// Applies a service's HttpResult (status and headers, e.g. Location and ETag) and returns its body.
export function reply<T>(response: Response, result: HttpResult<T>): T {
  response.status(result.status);
  for (const [name, value] of Object.entries(result.headers)) response.setHeader(name, value);
  return result.body;
}
