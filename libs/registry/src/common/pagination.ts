import { DomainError } from './errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// Opaque keyset cursors: the sort key of the last row, base64url-encoded JSON.
export function encodeCursor(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

// Text PostgreSQL can hold: a NUL inside a forged cursor was a 500 (the input-safety pipe sees only its
// base64 form), and a lone surrogate is no character.
function isText(value: string): boolean {
  return !value.includes('\u0000') && !/[\uD800-\uDFFF]/u.test(value);
}

// `keys` names each key of the cursor with the check its value must pass (a forged cursor is a 400,
// never a value the database refuses).
export function decodeCursor<K extends string>(
  cursor: string | undefined,
  keys: Readonly<Record<K, (value: string) => boolean>>,
): Record<K, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const valid = (Object.entries(keys) as Array<[K, (value: string) => boolean]>).every(
      ([key, check]) =>
        typeof parsed[key] === 'string' && isText(parsed[key] as string) && check(parsed[key] as string),
    );
    // Only the declared keys: whatever else a forged cursor carries stays behind.
    if (valid) return Object.fromEntries(Object.keys(keys).map((key) => [key, parsed[key]])) as Record<K, string>;
  } catch {
    // fall through to the 400 below
  }
  throw DomainError.validation([
    { field: 'cursor', code: 'invalid_format', message: 'cursor is not one this service issued' },
  ]);
}
