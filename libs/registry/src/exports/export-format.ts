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

// RFC 4180: quote a field holding a quote, comma, CR or LF; double the quotes inside.
function csvField(value: unknown): string {
  const cell = csvCell(value);
  if (cell === null) return '';
  const text = typeof cell === 'boolean' ? (cell ? 'true' : 'false') : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

// Turns database rows into export text, one row at a time (object mode in, text out), hashing
// every byte and counting rows as they pass. Memory holds one batch, whatever the export's size.
export class ExportEncoder extends Transform {
  rows = 0;
  private readonly hash: Hash = createHash('sha256');
  private started = false;

  constructor(
    private readonly format: ExportFormat,
    private readonly columns: ExportColumn[],
    private readonly context: ExportContext,
    // FHIR: builds the text of one row itself (bundles need more than the row).
    private readonly encodeRow?: (row: Record<string, any>) => string,
  ) {
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 256 });
  }

  private out(text: string): void {
    this.hash.update(text);
    this.push(text);
  }

  private header(): void {
    if (this.started) return;
    this.started = true;
    if (this.format === 'csv') this.out(csvLine(this.columns.map((c) => c.name)));
  }

  override _transform(row: Record<string, any>, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.header();
      if (this.encodeRow) {
        this.out(this.encodeRow(row));
      } else if (this.format === 'csv') {
        this.out(csvLine(this.columns.map((c) => c.value(row, this.context))));
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
