import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { csvCell } from '../common/csv.js';
import type { ExportColumn, ExportContext } from './export-columns.js';

export type ExportFormat = 'csv' | 'ndjson' | 'fhir';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  fhir: 'application/fhir+ndjson; charset=utf-8',
};

// Booleans as TRUE/FALSE: what R's read.csv, readr and pandas all read as logical (true/false reads as
// text in R). An empty code list is `none` (recorded, no code applies); an empty cell is not recorded.
export const CSV_TRUE = 'TRUE';
export const CSV_FALSE = 'FALSE';
export const CSV_NONE = 'none';

// RFC 4180: quote a field holding a quote, comma, CR or LF; double the quotes inside.
function csvField(value: unknown): string {
  const cell = csvCell(value);
  if (cell === null) return '';
  const text = typeof cell === 'boolean' ? (cell ? 'TRUE' : 'FALSE') : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

type CellWriter = (value: unknown) => string;

// The fastest safe rendering for each column's type: numbers and booleans need no quoting or
// formula guard; everything else goes through csvField.
function cellWriter(type: ExportColumn['type']): CellWriter {
  switch (type) {
    case 'integer':
    case 'number':
      return (v) => (v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : csvField(v));
    case 'boolean':
      return (v) =>
        v === null || v === undefined ? '' : v === true ? CSV_TRUE : v === false ? CSV_FALSE : csvField(v);
    // Codes are the vocabularies' own (the database checks them): letters, digits and underscores.
    case 'code':
      return (v) => (v === null || v === undefined ? '' : typeof v === 'string' && /^\w+$/.test(v) ? v : csvField(v));
    case 'codes':
      return (v) =>
        v === null || v === undefined
          ? ''
          : Array.isArray(v) && v.length === 0
            ? CSV_NONE
            : Array.isArray(v) && v.every((x) => typeof x === 'string' && /^\w+$/.test(x))
              ? v.join(';')
              : csvField(v);
    default:
      return csvField;
  }
}

// Turns database rows into export text, one row at a time (object mode in, text out), hashing
// every byte and counting rows as they pass. Memory holds one batch, whatever the export's size.
export class ExportEncoder extends Transform {
  rows = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly writers: CellWriter[];
  private started = false;

  constructor(
    private readonly format: ExportFormat,
    private readonly columns: ExportColumn[],
    private readonly context: ExportContext,
    // FHIR: builds the text of one row itself (bundles need more than the row).
    private readonly encodeRow?: (row: Record<string, any>) => string,
    // CSV fast path: only these leading columns are computed here; the rest of each line arrives
    // rendered in the row's `csv_tail`.
    private readonly head?: ExportColumn[],
    // FHIR: a first line before the rows (the terminology Bundle), not counted as a row.
    private readonly preamble?: string,
  ) {
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 64 });
    this.writers = (head ?? columns).map((c) => cellWriter(c.type));
  }

  private out(text: string): void {
    this.hash.update(text);
    this.push(text);
  }

  private header(): void {
    if (this.started) return;
    this.started = true;
    if (this.format === 'csv') this.out(csvLine(this.columns.map((c) => c.name)));
    if (this.preamble) this.out(this.preamble);
  }

  override _transform(row: Record<string, any>, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.header();
      if (this.encodeRow) {
        this.out(this.encodeRow(row));
      } else if (this.format === 'csv') {
        const computed = this.head ?? this.columns;
        let line = '';
        for (let i = 0; i < computed.length; i++) {
          if (i > 0) line += ',';
          line += this.writers[i](computed[i].value(row, this.context));
        }
        this.out(this.head ? `${line},${row.csv_tail}\r\n` : `${line}\r\n`);
      } else {
        const record: Record<string, unknown> = {};
        for (const c of this.columns) record[c.name] = c.value(row, this.context) ?? null;
        this.out(`${JSON.stringify(record)}\n`);
      }
      this.rows += 1;
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    this.header();
    done();
  }

  sha256(): string {
    return this.hash.copy().digest('hex');
  }
}
