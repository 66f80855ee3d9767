import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import type { ImportDataset } from '@ilr/persistence';
import { IMPORT_COLUMNS } from './import-columns.js';

// What can be wrong with a file as a whole: the import refuses it (400) and writes nothing.
export type FileProblem =
  | 'empty'
  | 'binary'
  | 'invalid_encoding'
  | 'bad_quoting'
  | 'cell_too_large'
  | 'ragged_row'
  | 'missing_columns'
  | 'unknown_columns'
  | 'duplicate_headers'
  | 'too_large';

export class FileProblemError extends Error {
  constructor(
    readonly problem: FileProblem,
    readonly line: number | null,
    message: string,
    readonly columns?: string[],
  ) {
    super(message);
    this.name = 'FileProblemError';
  }
}

// No legitimate cell comes near this (free text is at most 4,000 characters): a bigger one is refused
// before it is buffered whole.
export const MAX_CELL_CHARS = 100_000;

export type FileEncoding = 'utf-8' | 'latin1';

export interface StoredFile {
  path: string;
  bytes: number;
  sha256: string;
  encoding: FileEncoding;
}

// Streams an upload to `path` (never whole in memory), hashing it, and finds its encoding: UTF-8 (with or
// without a BOM) when every byte sequence is valid UTF-8, else Latin-1 (what spreadsheets on Windows
// save as "CSV"). A NUL byte means the file is not text at all.
export async function storeUpload(source: Readable, path: string, maxBytes: number): Promise<StoredFile> {
  const hash = createHash('sha256');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  let validUtf8 = true;
  const inspect = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes)
        return done(new FileProblemError('too_large', null, `The file is larger than ${maxBytes} bytes.`));
      if (chunk.includes(0)) {
        return done(
          new FileProblemError('binary', null, 'The file is not text (it holds NUL bytes): upload a CSV file.'),
        );
      }
      hash.update(chunk);
      if (validUtf8) {
        try {
          utf8.decode(chunk, { stream: true });
        } catch {
          validUtf8 = false;
        }
      }
      done(null, chunk);
    },
    flush(done) {
      if (validUtf8) {
        try {
          utf8.decode();
        } catch {
          validUtf8 = false;
        }
      }
      done();
    },
  });
  await pipeline(source, inspect, createWriteStream(path, { mode: 0o600 }));
  if (bytes === 0) throw new FileProblemError('empty', null, 'The file is empty.');
  return { path, bytes, sha256: hash.digest('hex'), encoding: validUtf8 ? 'utf-8' : 'latin1' };
}

export interface FileRecord {
  // The physical line of the file the record ends on (the header is line 1).
  line: number;
  cells: string[];
}

// The records of a stored file, decoded, after its header. A malformed record stops the read with
// the problem and its line.
export async function* readRecords(file: Pick<StoredFile, 'path' | 'encoding'>): AsyncGenerator<FileRecord> {
  const decode = new TextDecoder(file.encoding, { fatal: false });
  const decoder = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, decode.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decode.decode());
    },
  });
  const parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    max_record_size: MAX_CELL_CHARS,
    relax_column_count: false,
  });
  const source = createReadStream(file.path);
  source.pipe(decoder).pipe(parser);
  source.on('error', (error) => parser.destroy(error));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { line: info.lines, cells: record };
    }
  } catch (error) {
    throw describeParseError(error);
  } finally {
    source.destroy();
  }
}

function describeParseError(error: unknown): unknown {
  const e = error as { code?: string; lines?: number; message?: string };
  const line = typeof e.lines === 'number' ? e.lines : null;
  const at = line ? `Line ${line}: ` : '';
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new FileProblemError('bad_quoting', line, `${at}a quoted cell is not closed before the end of the file.`);
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new FileProblemError(
        'bad_quoting',
        line,
        `${at}a quote inside a cell must be doubled ("") and the cell quoted.`,
      );
    case 'CSV_QUOTE_NOT_OPENED':
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_OPENING_QUOTE':
      return new FileProblemError('bad_quoting', line, `${at}a quote appears inside a cell that is not quoted.`);
    case 'CSV_MAX_RECORD_SIZE':
      return new FileProblemError(
        'cell_too_large',
        line,
        `${at}a row holds more than ${MAX_CELL_CHARS} characters; no cell of the registry is that long.`,
      );
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH':
      return new FileProblemError('ragged_row', line, `${at}the row does not have as many cells as the header.`);
    default:
      return error;
  }
}

export interface Header {
  names: string[];
}

// The header against the dataset's columns: no duplicate, none unknown, every required one present
// (and a way to name the case, for visits and complications).
export function checkHeader(dataset: ImportDataset, cells: string[]): Header {
  const names = cells.map((c) => c.trim());
  if (names.length === 0 || names.every((n) => n === ''))
    throw new FileProblemError('empty', 1, 'Line 1: the header row is empty.');
  const seen = new Set<string>();
  const duplicates = names.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
  if (duplicates.length) {
    throw new FileProblemError(
      'duplicate_headers',
      1,
      `Line 1: the header names a column more than once: ${[...new Set(duplicates)].join(', ')}.`,
      [...new Set(duplicates)],
    );
  }
  const known = new Map(IMPORT_COLUMNS[dataset].map((c) => [c.name, c]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new FileProblemError(
      'unknown_columns',
      1,
      `Line 1: the header has columns the ${dataset} import does not know: ${unknown.join(', ')} (GET /api/v1/imports/template lists them).`,
      unknown,
    );
  }
  const missing = IMPORT_COLUMNS[dataset].filter((c) => c.use === 'required' && !seen.has(c.name)).map((c) => c.name);
  if (dataset !== 'cases' && !seen.has('registryCode') && !['mrn', 'side', 'surgeryDate'].every((n) => seen.has(n))) {
    missing.push(...['registryCode'].filter((n) => !seen.has(n)));
  }
  if (missing.length) {
    const caseKey = dataset !== 'cases' && missing.includes('registryCode') ? ' (or mrn, side and surgeryDate)' : '';
    throw new FileProblemError(
      'missing_columns',
      1,
      `Line 1: the header lacks required columns: ${missing.join(', ')}${caseKey}.`,
      missing,
    );
  }
  return { names };
}

// Reads the whole stored file once, to refuse a malformed one before anything is written. Returns the
// data rows counted.
export async function checkFile(dataset: ImportDataset, file: StoredFile): Promise<{ rows: number }> {
  let rows = 0;
  let header = false;
  for await (const record of readRecords(file)) {
    if (!header) {
      checkHeader(dataset, record.cells);
      header = true;
    } else rows++;
  }
  if (!header) throw new FileProblemError('empty', null, 'The file has no header row.');
  return { rows };
}

// A file's data rows as objects keyed by the header's names, with their lines.
export async function* readRows(
  dataset: ImportDataset,
  file: Pick<StoredFile, 'path' | 'encoding'>,
): AsyncGenerator<{ line: number; cells: Record<string, string> }> {
  let header: Header | undefined;
  for await (const record of readRecords(file)) {
    if (!header) {
      header = checkHeader(dataset, record.cells);
      continue;
    }
    const cells: Record<string, string> = {};
    header.names.forEach((name, i) => {
      cells[name] = record.cells[i];
    });
    yield { line: record.line, cells };
  }
}
