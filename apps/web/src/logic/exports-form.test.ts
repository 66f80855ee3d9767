import { describe, expect, it } from 'vitest';
import { RELEASE_LOCATION } from '@ilr/clinical';
import {
  DATASET_LABELS,
  downloadFileName,
  EXPORT_FORM_DEFAULTS,
  type ExportFormValues,
  exclusionsWords,
  filtersWords,
  FORMAT_LABELS,
  formatsFor,
  jobInProgress,
  jobStatusWords,
  mayExportIdentified,
  progressPercent,
  toCreateExportRequest,
  validateExportForm,
} from './exports-form.js';
import { schemaErrors, schemaOf } from './testing/openapi.js';
import { dateInWords } from './visit-labels.js';

const values = (overrides: Partial<ExportFormValues> = {}): ExportFormValues => ({
  ...EXPORT_FORM_DEFAULTS,
  ...overrides,
});

describe('export form', () => {
  it('names every dataset and format the API takes in words', () => {
    expect(Object.keys(DATASET_LABELS).sort()).toEqual([...(schemaOf('ExportDataset').enum as string[])].sort());
    expect(Object.keys(FORMAT_LABELS).sort()).toEqual([...(schemaOf('ExportFormat').enum as string[])].sort());
  });

  it('offers FHIR for cases only', () => {
    expect(formatsFor('cases')).toContain('fhir');
    expect(formatsFor('follow-ups')).not.toContain('fhir');
    expect(formatsFor('complications')).not.toContain('fhir');
    expect(validateExportForm(values({ dataset: 'complications', format: 'fhir' }))).toHaveProperty('format');
    expect(validateExportForm(values({ dataset: 'cases', format: 'fhir' }))).toEqual({});
  });

  it('refuses a date range that ends before it starts', () => {
    expect(validateExportForm(values({ from: '2025-03-01', to: '2025-02-01' }))).toHaveProperty('to');
    expect(validateExportForm(values({ from: '2025-02-01', to: '2025-02-01' }))).toEqual({});
  });

  it('sends only the filters that are set, as CreateExportRequest', () => {
    const plain = toCreateExportRequest(values(), 'registry_staff');
    expect(plain).toEqual({ dataset: 'cases', format: 'csv' });
    const full = toCreateExportRequest(
      values({
        dataset: 'follow-ups',
        format: 'ndjson',
        from: '2024-01-01',
        to: '2024-12-31',
        releaseLocation: RELEASE_LOCATION.codes[0],
        impingementRepair: 'no',
      }),
      'registry_staff',
    );
    expect(full).toEqual({
      dataset: 'follow-ups',
      format: 'ndjson',
      filters: {
        from: '2024-01-01',
        to: '2024-12-31',
        releaseLocation: RELEASE_LOCATION.codes[0],
        impingementRepair: false,
      },
    });
    for (const body of [plain, full]) expect(schemaErrors('CreateExportRequest', body)).toEqual([]);
  });

  it('asks for an identified export only for an administrator', () => {
    expect(mayExportIdentified('admin')).toBe(true);
    for (const role of ['registry_staff', 'surgeon', 'quality_reviewer'] as const) {
      expect(mayExportIdentified(role)).toBe(false);
      expect(toCreateExportRequest(values({ identified: true }), role)).not.toHaveProperty('identified');
    }
    expect(toCreateExportRequest(values({ identified: true }), 'admin')).toMatchObject({ identified: true });
  });
});

describe('export job in words', () => {
  const job = { status: 'running' as const, progress: 0.456, rows: 456, error: null };

  it('watches queued and running jobs only', () => {
    expect(jobInProgress({ status: 'queued' })).toBe(true);
    expect(jobInProgress({ status: 'running' })).toBe(true);
    expect(jobInProgress({ status: 'done' })).toBe(false);
    expect(jobInProgress({ status: 'failed' })).toBe(false);
    expect(jobInProgress(undefined)).toBe(false);
  });

  it('turns progress into a percentage, full once done, unknown before the rows are counted', () => {
    expect(progressPercent(job)).toBe(46);
    expect(progressPercent({ status: 'done', progress: null })).toBe(100);
    expect(progressPercent({ status: 'queued', progress: null })).toBeNull();
    expect(progressPercent({ status: 'running', progress: 1.2 })).toBe(100);
  });

  it('says the status in words', () => {
    expect(jobStatusWords(job)).toBe('Running: 46% (456 rows written)');
    expect(jobStatusWords({ status: 'done', progress: 1, rows: 1, error: null })).toBe('Done: 1 row');
    expect(jobStatusWords({ status: 'failed', progress: null, rows: 0, error: 'Refused: no longer active.' })).toBe(
      'Failed: Refused: no longer active.',
    );
    expect(jobStatusWords({ status: 'queued', progress: null, rows: null, error: null })).toBe('Waiting to start');
  });

  it('says the filters in words, never as codes', () => {
    expect(filtersWords({})).toBe('No filters');
    const code = RELEASE_LOCATION.codes[0];
    const words = filtersWords({ from: '2025-02-01', releaseLocation: code, impingementRepair: true });
    expect(words).toBe(
      `Surgery from ${dateInWords('2025-02-01')}; release location ${RELEASE_LOCATION.labels[code].toLowerCase()}; impingement repair performed`,
    );
    expect(words).not.toContain('2025-02-01');
  });

  it('names the download as the server does, else after the job', () => {
    const j = { id: 'abc', dataset: 'cases' as const, format: 'fhir' as const };
    expect(downloadFileName(j, 'attachment; filename="abc.fhir.ndjson"')).toBe('abc.fhir.ndjson');
    expect(downloadFileName(j, null)).toBe('ilr-cases-abc.fhir.ndjson');
  });

  it('says what the export left out, reason by reason, leaving out reasons that left out nothing', () => {
    expect(
      exclusionsWords({
        cases: 3,
        reasons: [
          { description: 'The case was deleted.', cases: 1 },
          { description: 'Consent withdrawn.', cases: 2 },
          { description: 'Consent declined.', cases: 0 },
        ],
      }),
    ).toEqual([
      '3 cases matching the filters left out',
      '1 case: The case was deleted.',
      '2 cases: Consent withdrawn.',
    ]);
    expect(exclusionsWords({ cases: 0, reasons: [] })).toEqual(['0 cases matching the filters left out']);
  });
});
