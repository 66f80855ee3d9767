import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError, type FieldError } from './errors.js';

// Keys that class-transformer silently drops (so the unknown-property check never sees them).
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function path(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

function scan(value: unknown, at: string, errors: FieldError[]): void {
  if (errors.length >= 20) return;
  if (typeof value === 'string') {
    // PostgreSQL text cannot hold NUL: refuse it here as bad input rather than fail in the database.
    if (value.includes('\u0000'))
      errors.push({
        field: at,
        code: 'invalid_characters',
        message: `${at || 'value'} must not contain NUL characters`,
      });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => scan(item, path(at, index), errors));
    return;
  }
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const field = path(at, key);
      if (FORBIDDEN_KEYS.has(key))
        errors.push({ field, code: 'unknown_property', message: `${field} is not a known property` });
      else scan((value as Record<string, unknown>)[key], field, errors);
    }
  }
}

// Runs before validation on every body, query and path parameter.
export class InputSafetyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const errors: FieldError[] = [];
    scan(value, metadata.type === 'param' && metadata.data ? metadata.data : '', errors);
    if (errors.length) throw DomainError.validation(errors);
    return value;
  }
}
