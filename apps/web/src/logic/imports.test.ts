import { describe, expect, it } from 'vitest';
import {
  bytesWords,
  countRows,
  countsSummary,
  DATASET_LABELS,
  errorRows,
  errorsCsvUrl,
  errorsFileName,
  fileNameHeader,
  fileNameOf,
  type ImportJob,
  importQuery,
  importRunning,
  importStatusWords,
  importUrl,
  isMalformedFile,
  jobTitle,
  malformedFileView,
  mayImport,
  MODE_LABELS,
  ON_ERROR_LABELS,
  STATUS_COLOURS,
  STATUS_LABELS,
  surgeonOptionsFromGroups,
  surgeonOptionsFromUsers,
  templateFileName,
  templateUrl,
} from './imports.js';
import { schemaErrors, schemaOf } from './testing/openapi.js';

const job = (overrides: Partial<ImportJob> = {}): ImportJob => ({
  id: '6f1c2b0e-8a4d-4c4e-9d7a-1b2c3d4e5f60',
  dataset: 'cases',
  mode: 'validate',
  onError: 'reject_all',
  status: 'validated',
  fileName: 'history.csv',
  bytes: 2048,
  sha256: 'a'.repeat(64),
  rowsRead: 3,
  accepted: 2,
  rejected: 1,
  created: 2,
  unchanged: 0,
  conflicts: 0,
  errorCount: 1,
  error: null,
  surgeonId: null,
  createdBy: { id: '0b3e4f5a-6b7c-4d8e-9f00-112233445566', displayName: 'Rita Registry' },
  createdAt: '2026-12-02T04:00:00.000Z',
  finishedAt: '2026-12-02T04:00:01.000Z',
  ...overrides,
});

describe('the import request', () => {
  it('names every dataset, mode, choice for bad rows and status the API has in words', () => {
    const sorted = (keys: object) => Object.keys(keys).sort();
    expect(sorted(DATASET_LABELS)).toEqual([...(schemaOf('ImportDataset').enum as string[])].sort());
    expect(sorted(MODE_LABELS)).toEqual([...(schemaOf('ImportMode').enum as string[])].sort());
    expect(sorted(ON_ERROR_LABELS)).toEqual([...(schemaOf('ImportOnError').enum as string[])].sort());
    expect(sorted(STATUS_LABELS)).toEqual([...(schemaOf('ImportStatus').enum as string[])].sort());
    expect(sorted(STATUS_COLOURS)).toEqual(sorted(STATUS_LABELS));
    // The test's job is an ImportJobResponse.
    expect(schemaErrors('ImportJobResponse', job())).toEqual([]);
  });

  it('sends dataset, mode and what to do with bad rows in the query', () => {
    expect(importQuery({ dataset: 'follow-ups', mode: 'validate', onError: 'reject_all' })).toEqual({
      dataset: 'follow-ups',
      mode: 'validate',
      onError: 'reject_all',
    });
    expect(importUrl({ dataset: 'complications', mode: 'commit', onError: 'skip_invalid' })).toBe(
      '/api/v1/imports?dataset=complications&mode=commit&onError=skip_invalid',
    );
  });

  it('sends a default surgeon for cases only, and only when one is chosen', () => {
    const surgeonId = '11111111-2222-4333-8444-555555555555';
    expect(importQuery({ dataset: 'cases', mode: 'commit', onError: 'reject_all', surgeonId })).toMatchObject({
      surgeonId,
    });
    expect(importUrl({ dataset: 'cases', mode: 'commit', onError: 'reject_all', surgeonId })).toBe(
      `/api/v1/imports?dataset=cases&mode=commit&onError=reject_all&surgeonId=${surgeonId}`,
    );
    expect(importQuery({ dataset: 'follow-ups', mode: 'commit', onError: 'reject_all', surgeonId })).not.toHaveProperty(
      'surgeonId',
    );
    expect(importQuery({ dataset: 'cases', mode: 'commit', onError: 'reject_all', surgeonId: '' })).not.toHaveProperty(
      'surgeonId',
    );
    expect(
      importQuery({ dataset: 'cases', mode: 'commit', onError: 'reject_all', surgeonId: null }),
    ).not.toHaveProperty('surgeonId');
  });

  it('names the datasets and the choices for bad rows in words', () => {
    expect(DATASET_LABELS).toEqual({
      cases: 'Cases',
      'follow-ups': 'Follow-up visits',
      complications: 'Complications',
    });
    expect(ON_ERROR_LABELS.reject_all).toBe('Import nothing if any row is bad');
    expect(ON_ERROR_LABELS.skip_invalid).toBe('Import the good rows, report the rest');
  });

  it('lets registry staff and administrators import, nobody else', () => {
    expect(mayImport('registry_staff')).toBe(true);
    expect(mayImport('admin')).toBe(true);
    expect(mayImport('surgeon')).toBe(false);
    expect(mayImport('quality_reviewer')).toBe(false);
    expect(mayImport(undefined)).toBe(false);
  });
});

describe('an import job in words', () => {
  it('is watched while it runs, and only then', () => {
    expect(importRunning(job({ status: 'running' }))).toBe(true);
    for (const status of ['validated', 'committed', 'rejected', 'failed'] as const)
      expect(importRunning(job({ status }))).toBe(false);
    expect(importRunning(undefined)).toBe(false);
  });

  it('says how far a running job has read', () => {
    expect(importStatusWords(job({ status: 'running', rowsRead: 1 }))).toBe('Checking: 1 row read so far');
    expect(importStatusWords(job({ status: 'running', mode: 'commit', rowsRead: 40 }))).toBe(
      'Importing: 40 rows read so far',
    );
  });

  it('says that a check wrote nothing, and how many rows need fixing', () => {
    expect(importStatusWords(job({ rejected: 1 }))).toBe('Checked: nothing was written. 1 row needs fixing');
    expect(importStatusWords(job({ rejected: 3 }))).toBe('Checked: nothing was written. 3 rows need fixing');
    expect(importStatusWords(job({ rejected: 0, rowsRead: 2 }))).toBe(
      'Checked: nothing was written. All 2 rows can be imported',
    );
  });

  it('says what a commit created, and what it left out', () => {
    expect(importStatusWords(job({ mode: 'commit', status: 'committed', rejected: 0, created: 2 }))).toBe(
      'Imported: 2 records created',
    );
    expect(
      importStatusWords(job({ mode: 'commit', onError: 'skip_invalid', status: 'committed', rejected: 1, created: 1 })),
    ).toBe('Imported: 1 record created; 1 row was left out');
  });

  it('says that a rejected import wrote nothing, and a failed one why it failed', () => {
    expect(importStatusWords(job({ mode: 'commit', status: 'rejected', rejected: 2 }))).toBe(
      'Nothing was imported: 2 rows need fixing',
    );
    expect(importStatusWords(job({ status: 'failed', error: 'The server restarted; nothing was kept.' }))).toBe(
      'Failed: The server restarted; nothing was kept.',
    );
    expect(importStatusWords(job({ status: 'failed', error: null }))).toBe('Failed');
  });

  it('labels every count, a check’s new rows as those an import would create', () => {
    const counts = job({ rowsRead: 5, accepted: 3, rejected: 2, created: 2, unchanged: 1, conflicts: 1 });
    expect(countRows(counts).map((c) => [c.key, c.value])).toEqual([
      ['rowsRead', 5],
      ['accepted', 3],
      ['rejected', 2],
      ['created', 2],
      ['unchanged', 1],
      ['conflicts', 1],
    ]);
    expect(countRows(counts).find((c) => c.key === 'created')?.label).toBe('New (would be created)');
    expect(countRows({ ...counts, mode: 'commit' }).find((c) => c.key === 'created')?.label).toBe('Created');
  });

  it('sums the counts up in one line for the list', () => {
    expect(countsSummary(job())).toBe('3 rows: 2 new, 1 rejected');
    expect(countsSummary(job({ mode: 'commit', status: 'committed', created: 2, unchanged: 1, rejected: 0 }))).toBe(
      '3 rows: 2 created, 1 unchanged',
    );
    expect(countsSummary(job({ status: 'running', rowsRead: 7 }))).toBe('7 rows read');
    expect(countsSummary(job({ rowsRead: 0, created: 0, rejected: 0 }))).toBe('0 rows');
  });

  it('titles a job by its dataset, what it did and its file', () => {
    expect(jobTitle(job())).toBe('Cases: check of history.csv');
    expect(jobTitle(job({ dataset: 'follow-ups', mode: 'commit', fileName: null }))).toBe(
      'Follow-up visits: import of an unnamed file',
    );
  });

  it('gives sizes in bytes, kB and MB', () => {
    expect(bytesWords(1)).toBe('1 byte');
    expect(bytesWords(999)).toBe('999 bytes');
    expect(bytesWords(2048)).toBe('2.0 kB');
    expect(bytesWords(3_400_000)).toBe('3.4 MB');
  });
});

describe('a malformed file', () => {
  const problem = {
    type: 'https://ilr.example/problems/malformed-file',
    title: 'Malformed file',
    status: 400,
    code: 'malformed_file' as const,
  };

  it('is told from other 400s by its code', () => {
    expect(isMalformedFile({ ...problem, problem: 'bad_quoting', line: 12 })).toBe(true);
    expect(isMalformedFile({ ...problem, code: 'validation_failed', errors: [] })).toBe(false);
    expect(isMalformedFile('Bad request')).toBe(false);
    expect(isMalformedFile(null)).toBe(false);
  });

  it('leads the server’s sentence with its line when the sentence does not name it', () => {
    const view = malformedFileView({
      ...problem,
      problem: 'bad_quoting',
      line: 12,
      detail: 'A quoted field is not closed',
    });
    expect(view.message).toBe('Line 12: a quoted field is not closed.');
    expect(view.advice).toMatch(/quotes/);
    expect(view.title).toMatch(/nothing was imported/);
  });

  it('keeps the server’s sentence as it is when it names the line, or when there is no line', () => {
    expect(
      malformedFileView({ ...problem, problem: 'ragged_row', line: 4, detail: 'Line 4 has 3 cells; the header has 5.' })
        .message,
    ).toBe('Line 4 has 3 cells; the header has 5.');
    expect(malformedFileView({ ...problem, problem: 'empty', line: null, detail: 'The file is empty.' }).message).toBe(
      'The file is empty.',
    );
    // A line 1 in the sentence is not a line 12.
    expect(
      malformedFileView({ ...problem, problem: 'bad_quoting', line: 12, detail: 'Unclosed quote after line 1' })
        .message,
    ).toBe('Line 12: unclosed quote after line 1.');
  });

  it('lists the columns the header is missing or does not know', () => {
    const view = malformedFileView({
      ...problem,
      problem: 'missing_columns',
      line: 1,
      detail: 'The header lacks required columns.',
      columns: ['side', 'surgeryDate'],
    });
    expect(view.columns).toEqual(['side', 'surgeryDate']);
    expect(view.message).toBe('Line 1: the header lacks required columns.');
    expect(view.advice).toMatch(/template/);
    expect(malformedFileView({ ...problem, problem: 'something_new', line: null }).advice).toBeNull();
    expect(malformedFileView({ ...problem, problem: 'something_new', line: null }).message).toBe('Malformed file.');
  });
});

describe('the error report', () => {
  it('shows each error’s line, column and problem; an error of no column is about the whole row', () => {
    const rows = errorRows([
      { line: 3, column: 'side', code: 'invalid_code', message: 'side must be one of left, right' },
      { line: 3, column: null, code: 'conflict', message: 'A case with this MRN, side and date differs' },
      { line: 3, column: 'side', code: 'invalid_code', message: 'side must be one of left, right' },
    ]);
    expect(rows.map(({ line, column, problem }) => [line, column, problem])).toEqual([
      [3, 'side', 'side must be one of left, right'],
      [3, 'Whole row', 'A case with this MRN, side and date differs'],
      [3, 'side', 'side must be one of left, right'],
    ]);
    // Keys stay unique even for repeated errors.
    expect(new Set(rows.map((r) => r.key)).size).toBe(3);
  });
});

describe('the file name sent with the upload', () => {
  it('is the file’s name, in plain ASCII, without folders', () => {
    expect(fileNameHeader('historic-cases.csv')).toBe('historic-cases.csv');
    expect(fileNameHeader('Fälle 2019.csv')).toBe('F_lle 2019.csv');
    expect(fileNameHeader('C:\\fakepath\\cases.csv')).toBe('cases.csv');
    expect(fileNameHeader('a\nb.csv')).toBe('a_b.csv');
    expect(fileNameHeader('   ')).toBeNull();
  });
});

describe('downloads', () => {
  it('asks for the template and its column list of a dataset', () => {
    expect(templateUrl('cases', false)).toBe('/api/v1/imports/template?dataset=cases');
    expect(templateUrl('follow-ups', true)).toBe('/api/v1/imports/template?dataset=follow-ups&file=columns');
    expect(errorsCsvUrl('abc')).toBe('/api/v1/imports/abc/errors?format=csv');
  });

  it('names the file as the server does, else by dataset and job', () => {
    expect(fileNameOf('attachment; filename="import-cases.csv"', 'x.csv')).toBe('import-cases.csv');
    expect(fileNameOf('attachment; filename=plain.csv', 'x.csv')).toBe('plain.csv');
    expect(fileNameOf("attachment; filename*=UTF-8''caf%C3%A9.csv", 'x.csv')).toBe('café.csv');
    expect(fileNameOf(null, 'x.csv')).toBe('x.csv');
    expect(templateFileName('cases', false)).toBe('ilr-import-cases-template.csv');
    expect(templateFileName('complications', true)).toBe('ilr-import-complications-columns.csv');
    expect(errorsFileName(job())).toBe(`ilr-import-cases-${job().id}-errors.csv`);
  });
});

describe('the default surgeon', () => {
  it('is chosen among active surgeons by name from the user list', () => {
    expect(
      surgeonOptionsFromUsers([
        { id: 'b', displayName: 'Dr Zed', role: 'surgeon', active: true },
        { id: 'a', displayName: 'Dr Amy', role: 'surgeon' },
        { id: 'c', displayName: 'Rita Registry', role: 'registry_staff', active: true },
        { id: 'd', displayName: 'Dr Gone', role: 'surgeon', active: false },
      ]),
    ).toEqual([
      { value: 'a', label: 'Dr Amy' },
      { value: 'b', label: 'Dr Zed' },
    ]);
  });

  it('is chosen among the outcomes report’s surgeons when the user list is not the caller’s', () => {
    expect(
      surgeonOptionsFromGroups([
        { key: 's2', surgeonLabel: 'Dr Ben' },
        { key: 's1', surgeonLabel: 'Dr Ada' },
        { key: 's3', surgeonLabel: null },
      ]),
    ).toEqual([
      { value: 's1', label: 'Dr Ada' },
      { value: 's2', label: 'Dr Ben' },
      { value: 's3', label: 'Unnamed surgeon' },
    ]);
    expect(surgeonOptionsFromGroups([{ key: 'all' }])).toEqual([]);
  });
});
