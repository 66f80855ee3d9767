import { describe, expect, it } from '@jest/globals';
import { stringify } from 'csv-stringify/sync';
import { CsvError, CsvReader, type CsvRecord } from './csv-reader.js';

function read(chunks: string[], maxCell = 1000): CsvRecord[] {
  const reader = new CsvReader(maxCell);
  return [...chunks.flatMap((chunk) => reader.push(chunk)), ...reader.end()];
}

function failure(chunks: string[], maxCell = 1000): CsvError {
  try {
    read(chunks, maxCell);
  } catch (error) {
    if (error instanceof CsvError) return error;
    throw error;
  }
  throw new Error('no CsvError');
}

// Every way to cut a text into two chunks gives the same records as reading it whole.
function everySplit(text: string): CsvRecord[] {
  const whole = read([text]);
  for (let i = 1; i < text.length; i++) expect(read([text.slice(0, i), text.slice(i)])).toEqual(whole);
  return whole;
}

describe(CsvReader.name, () => {
  it('reads what csv-stringify writes: quotes, commas, line breaks and doubled quotes inside cells', () => {
    const rows = [
      ['registryCode', 'notes', 'side'],
      ['ILR-000001', 'plain', 'left'],
      ['ILR-000002', 'a, "quoted" word\r\nand a second line', 'right'],
      ['ILR-000003', '', ''],
    ];
    const text = stringify(rows, { record_delimiter: '\r\n' });
    const records = everySplit(text);
    expect(records.map((r) => r.cells)).toEqual(rows);
    // A record is named by the line it starts on: the multi-line cell's record starts on line 3, the next on 5.
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it('takes LF, CRLF and CR line ends, drops a BOM and skips empty lines', () => {
    expect(everySplit('\uFEFFa,b\n1,2\r\n\r\n3,4\r5,6').map((r) => [r.line, ...r.cells])).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
      [4, '3', '4'],
      [5, '5', '6'],
    ]);
  });

  it('keeps a lone LF or CR inside an unquoted cell of a CRLF file (as csv-stringify writes it) as text', () => {
    const records = everySplit('a,b\r\n1,first\nsecond\r\n2,x\ry\r\n3,z');
    expect(records.map((r) => [r.line, ...r.cells])).toEqual([
      [1, 'a', 'b'],
      [2, '1', 'first\nsecond'],
      [4, '2', 'x\ry'],
      [5, '3', 'z'],
    ]);
  });

  it('refuses a quote inside an unquoted cell, with its line', () => {
    const error = failure(['a,b\n1,2\n3,x"y\n']);
    expect([error.problem, error.line]).toEqual(['bad_quoting', 3]);
  });

  it('refuses text after a closing quote, with its line', () => {
    const error = failure(['a,b\n"1"x,2\n']);
    expect([error.problem, error.line]).toEqual(['bad_quoting', 2]);
  });

  it('refuses a quoted cell left open at the end of the file, naming the line it opened on', () => {
    const error = failure(['a,b\n1,2\n3,"open\nstill open\n']);
    expect([error.problem, error.line]).toEqual(['bad_quoting', 3]);
  });

  it('refuses a cell longer than the limit before buffering all of it', () => {
    const error = failure(['a,b\n1,', 'x'.repeat(600), 'x'.repeat(600), '\n'], 1000);
    expect([error.problem, error.line]).toEqual(['cell_too_large', 2]);
  });
});
