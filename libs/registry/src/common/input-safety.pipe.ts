import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError, type FieldError } from './errors.js';
import { JSON_BODY_LIMITS } from './json-body.js';

// Keys that class-transformer silently drops (so the unknown-property check never sees them).
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// In a `u` regular expression a surrogate matches only when it is not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function path(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

// An explicit stack instead of recursion: a value nested thousands deep (a body that reached here
// some other way than the JSON parser, whose raw text is bounded in json-body.ts) is refused at
// JSON_BODY_LIMITS.maxDepth instead of overflowing the call stack.
function scan(root: unknown, rootPath: string): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Array<{ value: unknown; at: string; depth: number }> = [{ value: root, at: rootPath, depth: 0 }];
  while (stack.length) {
    const { value, at, depth } = stack.pop()!;
    if (typeof value === 'string') {
      // PostgreSQL text cannot hold NUL: refuse it here as bad input rather than fail in the database.
      if (value.includes('\u0000'))
        errors.push({
          field: at,
          code: 'invalid_characters',
          message: `${at || 'value'} must not contain NUL characters`,
        });
      // A lone surrogate (`"\ud800"` is valid JSON) is no character at all: stored it would become U+FFFD,
      // and validator.js's isEmail throws a URIError on it (a 500 found by the hostile-input run).
      else if (LONE_SURROGATE.test(value))
        errors.push({
          field: at,
          code: 'invalid_characters',
          message: `${at || 'value'} must be well-formed Unicode (no lone surrogates)`,
        });
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= JSON_BODY_LIMITS.maxDepth) {
      errors.push({
        field: at,
        code: 'too_deep',
        message: `${at || 'value'} nests deeper than ${JSON_BODY_LIMITS.maxDepth} levels`,
      });
      continue;
    }
    const children: Array<{ value: unknown; at: string; depth: number }> = [];
    if (Array.isArray(value)) {
      value.forEach((item, index) => children.push({ value: item, at: path(at, index), depth: depth + 1 }));
    } else {
      for (const key of Object.keys(value)) {
        const field = path(at, key);
        if (FORBIDDEN_KEYS.has(key))
          errors.push({ field, code: 'unknown_property', message: `${field} is not a known property` });
        else children.push({ value: (value as Record<string, unknown>)[key], at: field, depth: depth + 1 });
      }
    }
    // Reversed onto the stack, so that errors come out in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return errors;
}

// Runs before validation on every body, query and path parameter.
export class InputSafetyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const errors = scan(value, metadata.type === 'param' && metadata.data ? metadata.data : '');
    if (errors.length) throw DomainError.validation(errors);
    return value;
  }
}
