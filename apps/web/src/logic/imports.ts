// The imports page's pure logic: what POST /imports is sent (dataset, mode, what to do with bad rows, a default
// surgeon), a job (ImportJob) in words — its status, its counts — a malformed file's 400 in words, the error
// report's rows, file names for the downloads, and the surgeons a default may be chosen from.
import type { components } from '../api/schema';
import type { Option } from './labels.js';
import type { WithSurgeon } from './surgeons.js';

export type ImportJob = components['schemas']['ImportJobResponse'];
export type ImportError = components['schemas']['ImportErrorResponse'];
export type ImportDataset = ImportJob['dataset'];
export type ImportMode = ImportJob['mode'];
export type ImportOnError = ImportJob['onError'];
export type ImportStatus = ImportJob['status'];

export const DATASET_LABELS: Record<ImportDataset, string> = {
  cases: 'Cases',
  'follow-ups': 'Follow-up visits',
  complications: 'Complications',
};

export const DATASET_OPTIONS: Option<ImportDataset>[] = (Object.keys(DATASET_LABELS) as ImportDataset[]).map(
  (value) => ({ value, label: DATASET_LABELS[value] }),
);

export const ON_ERROR_LABELS: Record<ImportOnError, string> = {
  reject_all: 'Import nothing if any row is bad',
  skip_invalid: 'Import the good rows, report the rest',
};

export const ON_ERROR_OPTIONS: Option<ImportOnError>[] = (Object.keys(ON_ERROR_LABELS) as ImportOnError[]).map(
  (value) => ({ value, label: ON_ERROR_LABELS[value] }),
);

export const MODE_LABELS: Record<ImportMode, string> = { validate: 'Check', commit: 'Import' };

// Registry staff and administrators import (the API's rule: the others get 403).
export const mayImport = (role: string | undefined): boolean => role === 'registry_staff' || role === 'admin';

export interface ImportRequest {
  dataset: ImportDataset;
  mode: ImportMode;
  onError: ImportOnError;
  // The surgeon of the case rows that name none (cases only); '' or null for none.
  surgeonId?: string | null;
}

// The query of POST /api/v1/imports: the surgeon only for cases, and only when one is chosen.
export function importQuery(request: ImportRequest): Record<string, string> {
  const query: Record<string, string> = { dataset: request.dataset, mode: request.mode, onError: request.onError };
  if (request.dataset === 'cases' && request.surgeonId) query.surgeonId = request.surgeonId;
  return query;
}

export function importUrl(request: ImportRequest): string {
  return `/api/v1/imports?${new URLSearchParams(importQuery(request)).toString()}`;
}

// The upload is sent as text/csv whatever type the browser gives the file (a spreadsheet saved as .csv is often
// typed application/vnd.ms-excel, or nothing at all): the server reads and checks the bytes themselves.
export const UPLOAD_CONTENT_TYPE = 'text/csv';

// The file's name for the job (X-File-Name): a header holds plain ASCII safely, so other characters (and control
// characters) become '_'; a path's folders go. Null when nothing is left.
export function fileNameHeader(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? '';
  const safe = base
    .replace(/[^\x20-\x7e]/g, '_')
    .trim()
    .slice(0, 200);
  return safe || null;
}

// A job still to be watched (the page polls it until it has a final status).
export const importRunning = (job: Pick<ImportJob, 'status'> | undefined): boolean => job?.status === 'running';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
export const rowsWords = (n: number): string => plural(n, 'row');

// The status in words, with what it means for the registry.
export function importStatusWords(
  job: Pick<ImportJob, 'status' | 'mode' | 'onError' | 'rowsRead' | 'accepted' | 'rejected' | 'created' | 'error'>,
): string {
  switch (job.status) {
    case 'running':
      return `${job.mode === 'validate' ? 'Checking' : 'Importing'}: ${rowsWords(job.rowsRead)} read so far`;
    case 'validated':
      return job.rejected === 0
        ? `Checked: nothing was written. All ${rowsWords(job.rowsRead)} can be imported`
        : `Checked: nothing was written. ${plural(job.rejected, 'row needs', 'rows need')} fixing`;
    case 'committed':
      return job.rejected === 0
        ? `Imported: ${plural(job.created, 'record')} created`
        : `Imported: ${plural(job.created, 'record')} created; ${plural(job.rejected, 'row was', 'rows were')} left out`;
    case 'rejected':
      return `Nothing was imported: ${plural(job.rejected, 'row needs', 'rows need')} fixing`;
    case 'failed':
      return job.error ? `Failed: ${job.error}` : 'Failed';
  }
}

// A short word for tables and badges.
export const STATUS_LABELS: Record<ImportStatus, string> = {
  running: 'Running',
  validated: 'Checked',
  committed: 'Imported',
  rejected: 'Nothing imported',
  failed: 'Failed',
};

export const STATUS_COLOURS: Record<ImportStatus, string> = {
  running: 'blue',
  validated: 'teal',
  committed: 'green',
  rejected: 'orange',
  failed: 'red',
};

export interface CountRow {
  key: 'rowsRead' | 'accepted' | 'rejected' | 'created' | 'unchanged' | 'conflicts';
  label: string;
  value: number;
}

// The job's counts, labelled. A check writes nothing: its "created" are the rows an import would create.
export function countRows(
  job: Pick<ImportJob, 'mode' | 'rowsRead' | 'accepted' | 'rejected' | 'created' | 'unchanged' | 'conflicts'>,
): CountRow[] {
  const check = job.mode === 'validate';
  return [
    { key: 'rowsRead', label: 'Rows read', value: job.rowsRead },
    { key: 'accepted', label: 'Accepted', value: job.accepted },
    { key: 'rejected', label: 'Rejected', value: job.rejected },
    { key: 'created', label: check ? 'New (would be created)' : 'Created', value: job.created },
    { key: 'unchanged', label: 'Unchanged (already in the registry)', value: job.unchanged },
    { key: 'conflicts', label: 'Conflicts with stored records', value: job.conflicts },
  ];
}

// One line for the list of imports: "3 rows: 2 created, 1 rejected".
export function countsSummary(
  job: Pick<ImportJob, 'mode' | 'rowsRead' | 'created' | 'unchanged' | 'rejected' | 'status'>,
): string {
  if (job.status === 'running') return `${rowsWords(job.rowsRead)} read`;
  const parts: string[] = [];
  const written = job.mode === 'commit' && job.status === 'committed';
  if (job.created > 0) parts.push(`${job.created} ${written ? 'created' : 'new'}`);
  if (job.unchanged > 0) parts.push(`${job.unchanged} unchanged`);
  if (job.rejected > 0) parts.push(`${job.rejected} rejected`);
  return parts.length === 0 ? rowsWords(job.rowsRead) : `${rowsWords(job.rowsRead)}: ${parts.join(', ')}`;
}

export type MalformedKind =
  | 'empty'
  | 'binary'
  | 'bad_quoting'
  | 'cell_too_large'
  | 'missing_columns'
  | 'unknown_columns'
  | 'duplicate_headers'
  | 'ragged_row'
  | 'invalid_encoding';

export interface MalformedFileProblem {
  title?: string;
  status: number;
  detail?: string;
  code: 'malformed_file';
  problem: MalformedKind | string;
  line: number | null;
  columns?: string[];
}

export function isMalformedFile(body: unknown): body is MalformedFileProblem {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return b.code === 'malformed_file' && typeof b.problem === 'string';
}

// What a person can do about each kind of structural problem.
const MALFORMED_ADVICE: Record<MalformedKind, string> = {
  empty: 'The file has no rows. Choose the file that holds the records.',
  binary: 'This is not a CSV file (a spreadsheet workbook?). Save it as CSV (comma separated) and upload that.',
  bad_quoting: 'Close the quotes of that cell, or save the file again from the spreadsheet as CSV.',
  cell_too_large: 'One cell is far larger than any field takes: check that line for a missing quote or line break.',
  missing_columns: 'Add the missing columns to the header (the template lists every column).',
  unknown_columns: 'Remove or rename the columns the registry does not know (the template lists every column).',
  duplicate_headers: 'Each column may appear once in the header.',
  ragged_row: 'That line has a different number of cells from the header.',
  invalid_encoding: 'Save the file as CSV UTF-8 and upload it again.',
};

export interface MalformedView {
  title: string;
  // "Line 12: a quoted field is not closed."
  message: string;
  advice: string | null;
  columns: string[];
}

// A malformed file's 400 in words: the server's sentence, led by its line where the sentence does not name it.
export function malformedFileView(problem: MalformedFileProblem): MalformedView {
  const detail = (problem.detail ?? problem.title ?? 'The file could not be read.').trim();
  const sentence = /[.!?]$/.test(detail) ? detail : `${detail}.`;
  const namesLine = problem.line !== null && new RegExp(`\\bline ${problem.line}\\b`, 'i').test(detail);
  const message =
    problem.line !== null && !namesLine
      ? `Line ${problem.line}: ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`
      : sentence;
  return {
    title: 'The file could not be read: nothing was imported',
    message,
    advice: MALFORMED_ADVICE[problem.problem as MalformedKind] ?? null,
    columns: problem.columns ?? [],
  };
}

export interface ErrorRow {
  key: string;
  line: number;
  column: string;
  problem: string;
}

// The error report as table rows; an error of no single column is about the whole row.
export function errorRows(errors: readonly ImportError[]): ErrorRow[] {
  return errors.map((e, i) => ({
    key: `${e.line}:${e.column ?? ''}:${e.code}:${i}`,
    line: e.line,
    column: e.column ?? 'Whole row',
    problem: e.message,
  }));
}

// The download's file name: the server's Content-Disposition, else the given fallback.
export function fileNameOf(disposition: string | null | undefined, fallback: string): string {
  const match = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  return match ? decodeURIComponent(match[1]) : fallback;
}

export const templateFileName = (dataset: ImportDataset, columns: boolean): string =>
  `ilr-import-${dataset}-${columns ? 'columns' : 'template'}.csv`;

export const errorsFileName = (job: Pick<ImportJob, 'id' | 'dataset'>): string =>
  `ilr-import-${job.dataset}-${job.id}-errors.csv`;

export function templateUrl(dataset: ImportDataset, columns: boolean): string {
  const query = new URLSearchParams({ dataset, ...(columns ? { file: 'columns' } : {}) });
  return `/api/v1/imports/template?${query.toString()}`;
}

export const errorsCsvUrl = (id: string): string => `/api/v1/imports/${encodeURIComponent(id)}/errors?format=csv`;

// "12.3 kB"
export function bytesWords(bytes: number): string {
  if (bytes < 1000) return plural(bytes, 'byte');
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

// The job's title: "Cases: check of history.csv" / "Cases: import of history.csv".
export function jobTitle(job: Pick<ImportJob, 'dataset' | 'mode' | 'fileName'>): string {
  const what = job.mode === 'validate' ? 'check' : 'import';
  return `${DATASET_LABELS[job.dataset]}: ${what} of ${job.fileName ?? 'an unnamed file'}`;
}

// The surgeons a default may be chosen from, by name: an administrator's user list (surgeons, active first), else
// the outcomes report grouped by surgeon (registry staff see names there; only surgeons with cases).
export interface SurgeonUser {
  id: string;
  displayName: string;
  role: string;
  active?: boolean;
}

export function surgeonOptionsFromUsers(users: readonly SurgeonUser[]): Option[] {
  return users
    .filter((u) => u.role === 'surgeon' && u.active !== false)
    .map((u) => ({ value: u.id, label: u.displayName }))
    .sort(byLabel);
}

export function surgeonOptionsFromGroups(
  groups: ReadonlyArray<{ key: string; surgeonLabel?: string | null }>,
): Option[] {
  const rows: WithSurgeon[] = groups.map((g) => ({ surgeonId: g.key, surgeonLabel: g.surgeonLabel ?? null }));
  return rows
    .filter((r): r is WithSurgeon & { surgeonId: string } => r.surgeonId !== null && r.surgeonId !== 'all')
    .map((r) => ({ value: r.surgeonId, label: r.surgeonLabel ?? 'Unnamed surgeon' }))
    .sort(byLabel);
}

const byLabel = (a: Option, b: Option) => a.label.localeCompare(b.label, 'en') || a.value.localeCompare(b.value);
