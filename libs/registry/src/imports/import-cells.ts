import type { Vocabulary } from '@ilr/clinical';
import { CSV_FALSE, CSV_NONE, CSV_TRUE } from '../exports/export-format.js';
import type { ImportColumn } from './import-columns.js';

// A problem of one row: its line, the column (null when the row as a whole is at fault), a stable code
// and a message that names the column and the rule, never the cell's value.
export interface RowError {
  line: number;
  column: string | null;
  code: string;
  message: string;
}

export type Cell = { value: unknown } | { error: { code: string; message: string } };

const TRUE = new Set([CSV_TRUE.toLowerCase(), 'true', 'yes', 'y', '1']);
const FALSE = new Set([CSV_FALSE.toLowerCase(), 'false', 'no', 'n', '0']);
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

// Codes by code or by label, either case: `lesser_trochanter`, `Lesser trochanter`.
const lookups = new WeakMap<Vocabulary<string>, Map<string, string>>();
function codeOf(vocabulary: Vocabulary<string>, text: string): string | undefined {
  let map = lookups.get(vocabulary);
  if (!map) {
    map = new Map();
    for (const code of vocabulary.codes) {
      map.set(vocabulary.labels[code].toLowerCase(), code);
      map.set(code.toLowerCase(), code);
    }
    lookups.set(vocabulary, map);
  }
  return map.get(text.trim().toLowerCase());
}

const invalid = (code: string, message: string): Cell => ({ error: { code, message } });

// One cell as the value of its request field; undefined for an empty cell (not recorded). A code that
// is neither a code nor a label is passed on as given, for the API's own validation to name the codes.
export function readCell(column: ImportColumn, raw: string): Cell | undefined {
  if (raw === '') return undefined;
  const text = raw.trim();
  if (text === '' && column.type !== 'string') return undefined;
  if (column.item === 'na_allowed') {
    if (text.toLowerCase() === 'na') return { value: 'na' };
    return INTEGER.test(text) ? { value: Number(text) } : invalid('invalid_type', 'must be a whole number 0–4 or na');
  }
  switch (column.type) {
    case 'string':
      // The export guards text against spreadsheet formulas with a leading apostrophe: take it off.
      return { value: /^'[=+\-@]/.test(raw) ? raw.slice(1) : raw };
    case 'integer':
      return INTEGER.test(text) ? { value: Number(text) } : invalid('invalid_type', 'must be a whole number');
    case 'number':
      return NUMBER.test(text) ? { value: Number(text) } : invalid('invalid_type', 'must be a number');
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return { value: true };
      if (FALSE.has(lower)) return { value: false };
      return invalid('invalid_type', `must be ${CSV_TRUE} or ${CSV_FALSE}`);
    }
    case 'date':
      return { value: text };
    case 'code':
      return { value: column.codes ? (codeOf(column.codes, text) ?? text) : text };
    case 'codes':
      if (text.toLowerCase() === CSV_NONE) return { value: [] };
      return {
        value: text
          .split(';')
          .map((part) => part.trim())
          .filter((part) => part !== '')
          .map((part) => (column.codes ? (codeOf(column.codes, part) ?? part) : part)),
      };
    default:
      return { value: text };
  }
}

// Sets `value` at a request path (`release.location`, `proms.ihot12[3]`), making the objects and
// arrays on the way.
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = target;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const indexed = /^(\w+)\[(\d+)\]$/.exec(part);
    if (indexed) {
      const [, name, index] = indexed;
      const list = (node[name] ??= []) as unknown[];
      if (last) list[Number(index)] = value;
      else node = (list[Number(index)] ??= {}) as Record<string, unknown>;
      return;
    }
    if (last) node[part] = value;
    else node = (node[part] ??= {}) as Record<string, unknown>;
  });
}

// The request path of an API field error → the column it came from: `portals[2]` is `portals`,
// `proms.ihot12[3]` is `ihot12_04`, `release` (a nested object) the first column under it.
export function columnOfPath(columns: ImportColumn[], field: string): string | null {
  const exact = columns.find((c) => c.path === field);
  if (exact) return exact.name;
  const stripped = field.replace(/\[\d+\]$/, '');
  const list = columns.find((c) => c.path === stripped);
  if (list) return list.name;
  const under = columns.find((c) => c.path?.startsWith(`${field}.`) || c.path?.startsWith(`${field}[`));
  return under?.name ?? null;
}

// An API message starts with its field's path ("release.location must be one of …"): in the report it
// starts with the column's name instead.
export function messageForColumn(message: string, field: string, column: string | null): string {
  if (column && field && message.startsWith(field)) return `${column}${message.slice(field.length)}`;
  return message;
}
