// The exports page's pure logic: the form's values and what POST /exports is sent, the options in
// words, and a job (ExportJobResponse) in words: status, progress, filters, who ran it.
import { RELEASE_LOCATION } from '@ilr/clinical';
import type { components } from '../api/schema';
import type { Option } from './labels.js';
import { dateInWords } from './visit-labels.js';

export type CreateExportRequest = components['schemas']['CreateExportRequest'];
export type ExportJob = components['schemas']['ExportJobResponse'];
export type ExportDataset = CreateExportRequest['dataset'];
export type ExportFormat = CreateExportRequest['format'];
type UserRole = components['schemas']['UserResponse']['role'];

export interface ExportFormValues {
  dataset: ExportDataset;
  format: ExportFormat;
  // Surgery dates, YYYY-MM-DD or null.
  from: string | null;
  to: string | null;
  releaseLocation: string | null;
  // 'yes' | 'no', or null for either.
  impingementRepair: string | null;
  identified: boolean;
}

export const EXPORT_FORM_DEFAULTS: ExportFormValues = {
  dataset: 'cases',
  format: 'csv',
  from: null,
  to: null,
  releaseLocation: null,
  impingementRepair: null,
  identified: false,
};

export const DATASET_LABELS: Record<ExportDataset, string> = {
  cases: 'Cases',
  'follow-ups': 'Follow-ups',
  complications: 'Complications',
};

export const FORMAT_LABELS: Record<ExportFormat, string> = {
  csv: 'CSV (spreadsheet)',
  ndjson: 'NDJSON (one JSON object per line)',
  fhir: 'FHIR R4 (one Bundle per line)',
};

export const EXPORT_FIELD_LABELS: Record<string, string> = {
  dataset: 'Dataset',
  format: 'Format',
  from: 'Surgery from',
  to: 'Surgery to',
  releaseLocation: 'Release location',
  impingementRepair: 'Impingement repair',
  identified: 'Identified export (MRN, dates, registry codes, free text)',
  'filters.from': 'Surgery from',
  'filters.to': 'Surgery to',
  'filters.releaseLocation': 'Release location',
  'filters.impingementRepair': 'Impingement repair',
};

export const DATASET_OPTIONS: Option<ExportDataset>[] = (Object.keys(DATASET_LABELS) as ExportDataset[]).map(
  (value) => ({ value, label: DATASET_LABELS[value] }),
);

export const IMPINGEMENT_REPAIR_OPTIONS: Option[] = [
  { value: 'yes', label: 'Performed' },
  { value: 'no', label: 'Not performed' },
];

// FHIR bundles exist for the cases dataset only (the API answers 400 otherwise).
export function formatsFor(dataset: ExportDataset): ExportFormat[] {
  return dataset === 'cases' ? ['csv', 'ndjson', 'fhir'] : ['csv', 'ndjson'];
}

export function formatOptions(dataset: ExportDataset): Option<ExportFormat>[] {
  return formatsFor(dataset).map((value) => ({ value, label: FORMAT_LABELS[value] }));
}

// Identified exports are for administrators only (the API's rule; the option is not offered to others).
export const mayExportIdentified = (role: UserRole | undefined): boolean => role === 'admin';

// Errors the page can tell before sending, keyed by form field.
export function validateExportForm(values: ExportFormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!formatsFor(values.dataset).includes(values.format))
    errors.format = `${FORMAT_LABELS[values.format]} is available for the cases dataset only.`;
  if (values.from && values.to && values.from > values.to) errors.to = 'Surgery to is before surgery from.';
  return errors;
}

// The request body: only the filters that are set; `identified` only when the caller may ask for it.
export function toCreateExportRequest(values: ExportFormValues, role: UserRole | undefined): CreateExportRequest {
  const filters: NonNullable<CreateExportRequest['filters']> = {};
  if (values.from) filters.from = values.from;
  if (values.to) filters.to = values.to;
  if (values.releaseLocation) filters.releaseLocation = values.releaseLocation as typeof filters.releaseLocation;
  if (values.impingementRepair) filters.impingementRepair = values.impingementRepair === 'yes';
  const request: CreateExportRequest = { dataset: values.dataset, format: values.format };
  if (Object.keys(filters).length > 0) request.filters = filters;
  if (values.identified && mayExportIdentified(role)) request.identified = true;
  return request;
}

// A job still to be watched (the page polls it until it is done or failed).
export const jobInProgress = (job: Pick<ExportJob, 'status'> | undefined): boolean =>
  job?.status === 'queued' || job?.status === 'running';

// 0–100 for the progress bar; null while the job has not counted its rows yet.
export function progressPercent(job: Pick<ExportJob, 'status' | 'progress'>): number | null {
  if (job.status === 'done') return 100;
  if (job.progress === null || job.progress === undefined) return null;
  return Math.round(Math.min(1, Math.max(0, job.progress)) * 100);
}

const STATUS_WORDS: Record<ExportJob['status'], string> = {
  queued: 'Waiting to start',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
};

export function jobStatusWords(job: Pick<ExportJob, 'status' | 'progress' | 'rows' | 'error'>): string {
  const percent = progressPercent(job);
  if (job.status === 'running')
    return percent === null
      ? 'Running: counting the rows'
      : `Running: ${percent}% (${rowsWords(job.rows ?? 0)} written)`;
  if (job.status === 'done') return `Done: ${rowsWords(job.rows ?? 0)}`;
  if (job.status === 'failed') return job.error ? `Failed: ${job.error}` : 'Failed';
  return STATUS_WORDS[job.status];
}

export const rowsWords = (rows: number): string => `${rows} ${rows === 1 ? 'row' : 'rows'}`;

// A job's filters in words ("Surgery from 1 February 2025; release location capsular"), or "No filters".
export function filtersWords(filters: Record<string, unknown> | undefined): string {
  const parts: string[] = [];
  const f = filters ?? {};
  if (typeof f.from === 'string') parts.push(`surgery from ${dateInWords(f.from)}`);
  if (typeof f.to === 'string') parts.push(`surgery to ${dateInWords(f.to)}`);
  if (typeof f.releaseLocation === 'string') {
    const code = f.releaseLocation as keyof typeof RELEASE_LOCATION.labels;
    parts.push(`release location ${(RELEASE_LOCATION.labels[code] ?? f.releaseLocation).toLowerCase()}`);
  }
  if (typeof f.impingementRepair === 'boolean')
    parts.push(f.impingementRepair ? 'impingement repair performed' : 'impingement repair not performed');
  if (typeof f.surgeonId === 'string') parts.push('one surgeon');
  if (parts.length === 0) return 'No filters';
  const text = parts.join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The download's file name: the server's Content-Disposition, else one made from the job.
export function downloadFileName(job: Pick<ExportJob, 'id' | 'dataset' | 'format'>, disposition?: string | null) {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  if (match) return match[1];
  const extension = job.format === 'fhir' ? 'fhir.ndjson' : job.format;
  return `ilr-${job.dataset}-${job.id}.${extension}`;
}

// The manifest's exclusions in words: the total, then each reason that left a case out.
export function exclusionsWords(exclusions: {
  cases: number;
  reasons: ReadonlyArray<{ description: string; cases: number }>;
}): string[] {
  const total = `${exclusions.cases} ${exclusions.cases === 1 ? 'case' : 'cases'} matching the filters left out`;
  const reasons = exclusions.reasons
    .filter((r) => r.cases > 0)
    .map((r) => `${r.cases} ${r.cases === 1 ? 'case' : 'cases'}: ${r.description}`);
  return [total, ...reasons];
}
