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

// Checking rows is synchronous work: every ROWS_PER_TURN rows the event loop gets a turn, so that the
// lease's heartbeat and the process's HTTP requests are not held up for a whole batch.
export const ROWS_PER_TURN = 50;
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export const emptyOutcome = (): BatchOutcome => ({ created: 0, unchanged: 0, conflicts: 0, invalid: 0, errors: [] });

// What an import remembers of the rows it has read, so that a file that names one record twice is
// told apart from a file that names two (a validate run writes nothing the next batch could find):
// per record, 64 bits of the SHA-256 of its key, the line that named it first and 64 bits of the SHA-256
// of its values, in typed arrays (an open-addressing table): 20 bytes a record, where a Map of strings
// and objects held some 240 (`npm run bench` measured RSS growth of 112 MB over 100,000 case rows).
// Two different keys share 64 bits with odds of about 1 in 10^9 at a million records.
export class SeenRecords {
  private capacity = 1 << 14;
  private count = 0;
  private keys = new Uint32Array(this.capacity * 2);
  private lines = new Int32Array(this.capacity);
  private prints = new Uint32Array(this.capacity * 2);

  get(key: string): { line: number; fingerprint: string } | undefined {
    const [a, b] = words(key);
    const slot = this.find(a, b);
    if (this.lines[slot] === 0) return undefined;
    return { line: this.lines[slot], fingerprint: `${this.prints[slot * 2]}:${this.prints[slot * 2 + 1]}` };
  }

  // Only the first naming of a record is kept.
  set(key: string, line: number, fingerprint: string): void {
    const [a, b] = words(key);
    let slot = this.find(a, b);
    if (this.lines[slot] !== 0) return;
    if ((this.count + 1) * 10 > this.capacity * 7) {
      this.grow();
      slot = this.find(a, b);
    }
    const [p, q] = fingerprint.split(':').map(Number);
    this.keys[slot * 2] = a;
    this.keys[slot * 2 + 1] = b;
    this.lines[slot] = Math.max(1, line);
    this.prints[slot * 2] = p;
    this.prints[slot * 2 + 1] = q;
    this.count++;
  }

  private find(a: number, b: number): number {
    const mask = this.capacity - 1;
    let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (this.lines[slot] !== 0 && (this.keys[slot * 2] !== a || this.keys[slot * 2 + 1] !== b))
      slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { keys, lines, prints, capacity } = this;
    this.capacity *= 2;
    this.keys = new Uint32Array(this.capacity * 2);
    this.lines = new Int32Array(this.capacity);
    this.prints = new Uint32Array(this.capacity * 2);
    for (let i = 0; i < capacity; i++) {
      if (lines[i] === 0) continue;
      const slot = this.find(keys[i * 2], keys[i * 2 + 1]);
      this.keys[slot * 2] = keys[i * 2];
      this.keys[slot * 2 + 1] = keys[i * 2 + 1];
      this.lines[slot] = lines[i];
      this.prints[slot * 2] = prints[i * 2];
      this.prints[slot * 2 + 1] = prints[i * 2 + 1];
    }
  }
}

// The first 64 bits of a text's SHA-256, as two 32-bit words.
function words(text: string): [number, number] {
  const hash = createHash('sha256').update(text).digest();
  return [hash.readUInt32LE(0), hash.readUInt32LE(4)];
}

// A value's 64-bit fingerprint ("a:b"). Of values built in one key order (two rows of one file): their
// JSON. Values from elsewhere (a stored record) are compared as canonical().
export const fingerprint = (value: unknown): string => words(JSON.stringify(value)).join(':');

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

// The rows of a batch checked on their own (cells, DTOs, the rules that need no stored record): the
// invalid ones with their problems, and the rest for `apply`.
export interface Prepared<R> {
  invalid: number;
  errors: RowError[];
  rows: R[];
}

// A dataset's rows in two steps, so that the runner can prepare the next batch (CPU) while the database
// applies this one: `prepare` reads nothing of the import's state and writes nothing; `apply` looks the
// rows up, tells new from unchanged and conflicting ones, and writes (commit).
export interface DatasetImporter<R = unknown> {
  readonly dataset: ImportDataset;
  prepare(context: Pick<ImportContext, 'job' | 'today'>, rows: RawRow[]): Promise<Prepared<R>>;
  apply(context: ImportContext, prepared: Prepared<R>): Promise<BatchOutcome>;
}

// The outcome of a batch so far: its invalid rows.
export const outcomeOf = (prepared: Prepared<unknown>): BatchOutcome => ({
  ...emptyOutcome(),
  invalid: prepared.invalid,
  errors: [...prepared.errors],
});

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

// A record an earlier line of the file named already: counted as unchanged when the values are the same,
// else a conflict with that line. False when the record is new to the file.
export function repeatsEarlierLine(
  context: ImportContext,
  outcome: BatchOutcome,
  record: { key: string; line: number; fingerprint: string; what: string },
): boolean {
  const seen = context.seen.get(record.key);
  if (!seen) return false;
  if (seen.fingerprint === record.fingerprint) outcome.unchanged++;
  else {
    outcome.conflicts++;
    outcome.errors.push(
      conflict(record.line, null, `the row names the ${record.what} of line ${seen.line} with different values`),
    );
  }
  return true;
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
