// An RFC 4180 reader for text arriving in chunks: records with the physical line they start on, and the
// malformed spots named by line. Written here rather than taken from csv-parse, which read the
// registry's wide files at 3–4 MB/s on this machine (measured on a 6.7 MB, 155-column file) — an import of
// 100,000 cases reads some 140 MB — and which reports a record's last line, not its first.

export type CsvProblem = 'bad_quoting' | 'cell_too_large';

export class CsvError extends Error {
  constructor(
    readonly problem: CsvProblem,
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvRecord {
  line: number;
  cells: string[];
}

const SPECIAL = /[,\r\n"]/g;

export class CsvReader {
  private cells: string[] = [];
  private field = '';
  // At the start of a field; inside a quoted field; just after a quote inside a quoted field (the end of
  // the field, or the first of a doubled quote).
  private state: 'start' | 'plain' | 'quoted' | 'quote' = 'start';
  private line = 1;
  private recordLine = 1;
  private pendingCr = false;
  private first = true;
  private ending?: 'crlf' | 'lf' | 'cr';

  constructor(private readonly maxCell: number) {}

  // The records completed by this chunk.
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let text = chunk;
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let i = 0;
    // A CR at the end of the last chunk: what follows it says what it was.
    if (this.pendingCr && text.length > 0) {
      this.pendingCr = false;
      if (text.charCodeAt(0) === 10) {
        this.ending ??= 'crlf';
        this.endLine(out);
        i = 1;
      } else if (this.ending === 'crlf') this.data('\r');
      else {
        this.ending ??= 'cr';
        this.endLine(out);
      }
    }
    const n = text.length;
    while (i < n) {
      if (this.state === 'quoted') {
        const q = text.indexOf('"', i);
        const end = q < 0 ? n : q;
        this.append(text, i, end);
        this.line += countLines(text, i, end);
        if (q < 0) return out;
        i = q + 1;
        this.state = 'quote';
        continue;
      }
      if (this.state === 'quote') {
        const c = text.charCodeAt(i);
        if (c === 34) {
          this.append('"', 0, 1);
          this.state = 'quoted';
          i++;
          continue;
        }
        if (c !== 44 && c !== 13 && c !== 10)
          throw new CsvError(
            'bad_quoting',
            this.line,
            `Line ${this.line}: a quote inside a quoted cell must be doubled (""), and nothing may follow the closing quote but a comma or the end of the line.`,
          );
        this.state = 'plain';
      }
      if (this.state === 'start' && text.charCodeAt(i) === 34) {
        this.state = 'quoted';
        i++;
        continue;
      }
      SPECIAL.lastIndex = i;
      const match = SPECIAL.exec(text);
      const at = match ? match.index : n;
      if (at > i) {
        this.append(text, i, at);
        this.state = 'plain';
      }
      if (!match) return out;
      const c = text.charCodeAt(at);
      i = at + 1;
      if (c === 34) {
        throw new CsvError(
          'bad_quoting',
          this.line,
          `Line ${this.line}: a quote appears inside a cell that is not quoted (quote the cell and double the quote).`,
        );
      }
      if (c === 44) {
        this.cells.push(this.field);
        this.field = '';
        this.state = 'start';
        continue;
      }
      // Records end as the file's first line ends (CRLF, LF or CR); in a CRLF file, as in csv-parse and
      // spreadsheets, a lone LF or CR inside a cell is part of it.
      if (c === 10) {
        if (this.ending === 'crlf') {
          this.data('\n');
          this.line++;
        } else {
          this.ending ??= 'lf';
          this.endLine(out);
        }
        continue;
      }
      if (i >= n) {
        this.pendingCr = true;
        return out;
      }
      if (text.charCodeAt(i) === 10) {
        this.ending ??= 'crlf';
        i++;
        this.endLine(out);
      } else if (this.ending === 'crlf') this.data('\r');
      else {
        this.ending ??= 'cr';
        this.endLine(out);
      }
    }
    return out;
  }

  // The last record, at the end of the text.
  end(): CsvRecord[] {
    if (this.state === 'quoted')
      throw new CsvError(
        'bad_quoting',
        this.recordLine,
        `Line ${this.recordLine}: a quoted cell is not closed before the end of the file.`,
      );
    const out: CsvRecord[] = [];
    if (this.pendingCr) {
      this.pendingCr = false;
      this.endLine(out);
      return out;
    }
    if (this.state !== 'start' || this.cells.length > 0) {
      this.cells.push(this.field);
      this.field = '';
      this.endRecord(out);
    }
    return out;
  }

  // A line end inside an unquoted cell, kept as data.
  private data(char: string) {
    this.append(char, 0, 1);
    this.state = 'plain';
  }

  // The end of a line, which ends the record.
  private endLine(out: CsvRecord[]) {
    this.cells.push(this.field);
    this.field = '';
    this.state = 'start';
    this.endRecord(out);
    this.line++;
    this.recordLine = this.line;
  }

  private append(text: string, from: number, to: number) {
    if (this.field.length + (to - from) > this.maxCell)
      throw new CsvError(
        'cell_too_large',
        this.line,
        `Line ${this.line}: a cell holds more than ${this.maxCell} characters; no field of the registry is that long.`,
      );
    this.field += text.slice(from, to);
  }

  private endRecord(out: CsvRecord[]) {
    const cells = this.cells;
    this.cells = [];
    // An empty line is no record.
    if (!(cells.length === 1 && cells[0] === '')) out.push({ line: this.recordLine, cells });
  }
}

function countLines(text: string, from: number, to: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}
