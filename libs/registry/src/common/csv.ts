import { stringify } from 'csv-stringify/sync';

// Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula.
// Text cells that start so get a leading apostrophe; numbers stay numbers (a negative change is -3.2).
export function neutraliseCell(value: unknown): unknown {
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(value)) return `'${value}`;
  return value;
}

export function csvCell(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return neutraliseCell(value.join(';')) as string;
  return neutraliseCell(String(value)) as string;
}

// RFC 4180 CSV with a header row, UTF-8, CRLF line ends.
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  return stringify(
    rows.map((row) => columns.map((c) => csvCell(row[c]))),
    {
      header: true,
      columns: columns as string[],
      record_delimiter: 'windows',
      cast: { boolean: (value) => (value ? 'true' : 'false') },
    },
  );
}
