// RFC 9457 problem+json answers (libs/registry/src/common/problem.filter.ts and errors.ts; the
// `Problem` schema of openapi.json) turned into what a person reads: a message in words, and the
// field errors keyed by the form's field paths, which are the API's `errors[].field` paths.
import type { Vocabulary } from '@ilr/clinical';
import { CASE_VOCABULARIES, codeLabel, COMPLICATION_VOCABULARIES, FIELD_LABELS, fieldLabel } from './labels.js';

export interface FieldErrorBody {
  field: string;
  code: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldErrorBody[];
  errorsOmitted?: number;
  correlationId: string;
  existingId?: string;
  currentVersion?: number;
}

// Field path → the message shown at that field (the first one when a field has several).
export type FieldErrors = Record<string, string>;

export type ProblemKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'duplicate'
  | 'conflict'
  // 412: the record changed since it was read (someone else saved it); offer to reload, keep the typing.
  | 'stale'
  // 428: a change was sent without the record's version (If-Match).
  | 'version_missing'
  | 'throttled'
  | 'too_large'
  | 'unavailable'
  | 'server_error'
  | 'network';

export interface ProblemView {
  kind: ProblemKind;
  status: number;
  // What the page says, in words.
  message: string;
  // Shown at their fields; errors whose field the form has no control for stay in `otherErrors`.
  fieldErrors: FieldErrors;
  otherErrors: string[];
  correlationId?: string;
  // 412: the version now stored; 409 duplicate MRN: the patient that has it.
  currentVersion?: number;
  existingId?: string;
}

export function isProblemBody(body: unknown): body is ProblemBody {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.status === 'number' && typeof b.title === 'string' && typeof b.type === 'string';
}

const KIND_BY_CODE: Record<string, ProblemKind> = {
  validation_failed: 'validation',
  malformed_json: 'validation',
  unauthenticated: 'unauthenticated',
  invalid_credentials: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  duplicate: 'duplicate',
  conflict: 'conflict',
  idempotency_key_reused: 'conflict',
  precondition_failed: 'stale',
  precondition_required: 'version_missing',
  throttled: 'throttled',
  payload_too_large: 'too_large',
  unsupported_media_type: 'server_error',
  not_ready: 'unavailable',
};

const KIND_BY_STATUS: Record<number, ProblemKind> = {
  400: 'validation',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  412: 'stale',
  413: 'too_large',
  428: 'version_missing',
  429: 'throttled',
  503: 'unavailable',
};

// Messages for answers whose `detail` is not meant for the person at the form.
const MESSAGES: Partial<Record<ProblemKind, string>> = {
  stale:
    'Someone else changed this record since you opened it. Reload it to see their changes; what you typed here is kept.',
  version_missing: 'This change must name the version of the record it changes. Reload the record and try again.',
  network: 'The registry could not be reached. Check the connection and try again; what you typed is kept.',
  unauthenticated: 'Your session has ended. Sign in again to carry on; what you typed is kept.',
};

// The kind of a failed answer; `status` 0 (or no body at all) is a network failure.
export function problemKind(status: number, body?: unknown): ProblemKind {
  if (status === 0) return 'network';
  const code = isProblemBody(body) ? body.code : undefined;
  if (code && KIND_BY_CODE[code]) return KIND_BY_CODE[code];
  return KIND_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'validation');
}

// The form control a field error belongs to: an item of a list (`portals[2]`) shows at the list.
export function formFieldOf(apiField: string): string {
  return apiField.replace(/\[\d+\]/g, '');
}

// API field paths in a message, longest first (`release.capsularLevel` before `release`). Only
// names that read as code are replaced — with a dot or in camelCase, and the last part of a dotted
// path on its own (`tendonBundles`) — so that ordinary words ("side", "release") are left alone.
const PATH_WORDS = new Map<string, string>();
for (const path of Object.keys(FIELD_LABELS)) {
  if (/[.A-Z]/.test(path)) PATH_WORDS.set(path, FIELD_LABELS[path]);
  const last = path.split('.').pop()!;
  if (path.includes('.') && /[A-Z]/.test(last) && !PATH_WORDS.has(last)) PATH_WORDS.set(last, FIELD_LABELS[path]);
}
const escape = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
const PATH_PATTERN = new RegExp(
  `(?<![\\w.])(${[...PATH_WORDS.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')})(\\[\\d+\\])?(?![\\w])`,
  'g',
);

// Codes in a message (`labral_repair`, `'other'`) become their labels: snake_case codes always, a
// one-word code only when quoted. The first vocabulary that has the code names it.
const CODE_WORDS = new Map<string, string>();
for (const vocabulary of [...Object.values(CASE_VOCABULARIES), ...Object.values(COMPLICATION_VOCABULARIES)]) {
  for (const code of vocabulary.codes as readonly string[]) {
    if (!CODE_WORDS.has(code)) CODE_WORDS.set(code, codeLabel(vocabulary as Vocabulary<string>, code));
  }
}
// A list item (`portals[2]`) names its list, whatever the list's name.
const LIST_ITEM = /(?<![\w.])([A-Za-z][\w.]*)\[\d+\]/g;
const QUOTED_CODE = /'([A-Za-z0-9_]+)'/g;
const SNAKE_CODE = /(?<![\w'])([a-z0-9]+(?:_[a-z0-9]+)+)(?![\w'])/g;

// A field error in words: the server's (and libs/clinical's) messages name fields by their API
// path ("release.capsularLevel is required for a capsular release") and quote codes; both become words.
export function fieldErrorMessage(error: FieldErrorBody): string {
  const worded = error.message
    .replace(QUOTED_CODE, (match, code: string) => (CODE_WORDS.has(code) ? `“${CODE_WORDS.get(code)}”` : match))
    .replace(SNAKE_CODE, (match, code: string) => CODE_WORDS.get(code) ?? match)
    .replace(LIST_ITEM, (match, path: string) => (FIELD_LABELS[path] ? FIELD_LABELS[path] : match))
    .replace(PATH_PATTERN, (_match, path: string) => PATH_WORDS.get(path) ?? fieldLabel(path));
  const sentence = worded.charAt(0).toUpperCase() + worded.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

// Field errors keyed by form field path, the first message per field.
export function fieldErrorsOf(errors: FieldErrorBody[]): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    const field = formFieldOf(error.field);
    out[field] ??= fieldErrorMessage(error);
  }
  return out;
}

export interface DescribeOptions {
  // The form's field paths: errors on other fields are listed with the message instead.
  formFields?: ReadonlySet<string> | readonly string[];
}

// Any failed answer in words: `status` with its parsed body (a problem, something else, or nothing).
export function describeProblem(status: number, body: unknown, options: DescribeOptions = {}): ProblemView {
  const kind = problemKind(status, body);
  const problem = isProblemBody(body) ? body : undefined;
  const known = options.formFields ? new Set(options.formFields) : undefined;
  const fieldErrors: FieldErrors = {};
  const otherErrors: string[] = [];
  for (const error of problem?.errors ?? []) {
    const field = formFieldOf(error.field);
    const message = fieldErrorMessage(error);
    if (field && (!known || known.has(field))) fieldErrors[field] ??= message;
    else otherErrors.push(message);
  }
  if (problem?.errorsOmitted) otherErrors.push(`${problem.errorsOmitted} more problems were not listed.`);
  const message =
    MESSAGES[kind] ??
    (kind === 'server_error' && !problem
      ? `The registry answered with an error (${status}). Try again; if it persists, report it.`
      : (problem?.detail ?? problem?.title ?? `The registry answered with an error (${status}).`));
  return {
    kind,
    status,
    message,
    fieldErrors,
    otherErrors,
    ...(problem?.correlationId ? { correlationId: problem.correlationId } : {}),
    ...(problem?.currentVersion !== undefined ? { currentVersion: problem.currentVersion } : {}),
    ...(problem?.existingId ? { existingId: problem.existingId } : {}),
  };
}

// 412: the record changed under the form (reload, keeping the typed values).
export const isStale = (view: Pick<ProblemView, 'kind'>) => view.kind === 'stale';
// 428: the request was sent without If-Match (a programming error in the page, not the user's).
export const isVersionMissing = (view: Pick<ProblemView, 'kind'>) => view.kind === 'version_missing';
