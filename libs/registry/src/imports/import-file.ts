import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImportDataset } from '@ilr/persistence';
import { CsvError, CsvReader, type CsvRecord } from './csv-reader.js';
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
  // The physical line of the file the record starts on (the header is line 1).
  line: number;
  cells: string[];
}

// The records of a stored file, decoded (CsvReader). A malformed record stops the read with the problem
// and its line; so does a record with another number of cells than the first (the header).
export async function* readRecords(file: Pick<StoredFile, 'path' | 'encoding'>): AsyncGenerator<FileRecord> {
  const decode = new TextDecoder(file.encoding, { fatal: false });
  const reader = new CsvReader(MAX_CELL_CHARS);
  let width: number | undefined;
  const checked = (records: CsvRecord[]) => {
    for (const record of records) {
      width ??= record.cells.length;
      if (record.cells.length !== width)
        throw new FileProblemError(
          'ragged_row',
          record.line,
          `Line ${record.line}: the row has ${record.cells.length} cells and the header ${width}.`,
        );
    }
    return records;
  };
  try {
    for await (const chunk of createReadStream(file.path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      yield* checked(reader.push(decode.decode(chunk, { stream: true })));
    }
    const rest = decode.decode();
    yield* checked([...(rest ? reader.push(rest) : []), ...reader.end()]);
  } catch (error) {
    if (error instanceof CsvError) throw new FileProblemError(error.problem, error.line, error.message);
    throw error;
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
