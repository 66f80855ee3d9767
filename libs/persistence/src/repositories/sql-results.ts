// TypeORM answers an UPDATE or DELETE … RETURNING with [rows, count]; a SELECT or INSERT with rows.
export function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}
