import { createHash } from 'node:crypto';
import type { ImportDataset, ImportJobEntity } from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import type { AuthContext } from '../access/access.policy.js';
import type { FieldError } from '../common/errors.js';
import type { WriteContext } from '../writes/clinical-writes.js';
import { IMPORT_COLUMNS, type ImportColumn } from './import-columns.js';
import { columnOfPath, messageForColumn, readCell, type RowError, setPath } from './import-cells.js';

export interface RawRow {
  line: number;
  cells: Record<string, string>;
}

// What one batch came to: rows created (or, validating, that a commit would create), rows that repeat
// a stored record or an earlier line exactly, rows in conflict with one, rows invalid, and the problems.
export interface BatchOutcome {
  created: number;
  unchanged: number;
  conflicts: number;
  invalid: number;
  errors: RowError[];
}

export const emptyOutcome = (): BatchOutcome => ({ created: 0, unchanged: 0, conflicts: 0, invalid: 0, errors: [] });

// What an import remembers of the rows it has read, so that a file that names one record twice is
// told apart from a file that names two (a validate run writes nothing the next batch could find):
// a compact key of each record → the line that named it first and a fingerprint of its values.
export class SeenRecords {
  private readonly records = new Map<string, { line: number; fingerprint: string }>();

  get(key: string) {
    return this.records.get(digest(key));
  }

  set(key: string, line: number, fingerprint: string): void {
    this.records.set(digest(key), { line, fingerprint });
  }
}

export const digest = (text: string): string => createHash('sha256').update(text).digest('base64').slice(0, 22);
export const fingerprint = (value: unknown): string => digest(canonical(value));

// JSON with object keys sorted (PostgreSQL's jsonb keeps its own key order): two equal values, one text.
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

export interface ImportContext {
  job: ImportJobEntity;
  auth: AuthContext;
  today: string;
  // The manager reads go through: the batch's transaction when writing, else the pool.
  manager: EntityManager;
  // Set when the batch writes (commit); null when validating.
  write: WriteContext | null;
  seen: SeenRecords;
}

export interface DatasetImporter {
  readonly dataset: ImportDataset;
  batch(context: ImportContext, rows: RawRow[]): Promise<BatchOutcome>;
}

// A row's cells → the request body the API would have been sent, with the cells that are not values
// of their type. Columns the import reads itself (no path) are left to the importer.
export function bodyOf(dataset: ImportDataset, row: RawRow): { body: Record<string, unknown>; errors: RowError[] } {
  const body: Record<string, unknown> = {};
  const errors: RowError[] = [];
  for (const column of IMPORT_COLUMNS[dataset]) {
    if (!column.path || !(column.name in row.cells)) continue;
    const cell = readCell(column, row.cells[column.name]);
    if (!cell) continue;
    if ('error' in cell)
      errors.push({
        line: row.line,
        column: column.name,
        code: cell.error.code,
        message: `${column.name} ${cell.error.message}`,
      });
    else setPath(body, column.path, cell.value);
  }
  return { body, errors };
}

// A value the importer reads itself (a key, the surgeon, the status), by its column's type.
export function valueOf(dataset: ImportDataset, row: RawRow, name: string, errors: RowError[]): unknown {
  const column = IMPORT_COLUMNS[dataset].find((c) => c.name === name) as ImportColumn;
  if (!(name in row.cells)) return undefined;
  const cell = readCell(column, row.cells[name]);
  if (!cell) return undefined;
  if ('error' in cell) {
    errors.push({ line: row.line, column: name, code: cell.error.code, message: `${name} ${cell.error.message}` });
    return undefined;
  }
  return cell.value;
}

// The API's field errors (request paths) as row errors (columns); one per column, the first.
export function rowErrorsOf(
  dataset: ImportDataset,
  line: number,
  fieldErrors: FieldError[],
  already: RowError[] = [],
): RowError[] {
  const columns = IMPORT_COLUMNS[dataset];
  const taken = new Set(already.map((e) => e.column));
  const out: RowError[] = [];
  for (const error of fieldErrors) {
    const column = columnOfPath(columns, error.field);
    if (taken.has(column)) continue;
    taken.add(column);
    out.push({ line, column, code: error.code, message: messageForColumn(error.message, error.field, column) });
  }
  return out;
}

export const conflict = (line: number, column: string | null, message: string): RowError => ({
  line,
  column,
  code: 'conflict',
  message,
});

// The list instruments' items as full lists (an unanswered item is null), and instruments with no
// answered item left out: a row with empty item cells answered nothing.
export function completeProms(body: Record<string, unknown>, lengths: Record<string, number>): void {
  const proms = body.proms as Record<string, unknown> | undefined;
  if (!proms) return;
  for (const [instrument, length] of Object.entries(lengths)) {
    const items = proms[instrument] as unknown[] | undefined;
    if (!items) continue;
    proms[instrument] = Array.from({ length }, (_, i) => items[i] ?? null);
  }
}
