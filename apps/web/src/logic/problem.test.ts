import { describe, expect, it } from 'vitest';
import {
  describeProblem,
  fieldErrorMessage,
  fieldErrorsOf,
  formFieldOf,
  isProblemBody,
  problemKind,
} from './problem.js';
import { schemaErrors } from './testing/openapi.js';

// Bodies as the API's problem filter writes them (libs/registry/src/common/problem.filter.ts);
// each is checked against the `Problem` schema of openapi.json, so they cannot drift from the API.
const base = 'https://ilr-registry.org/problems/';
const validation = {
  type: `${base}validation_failed`,
  title: 'Invalid request',
  status: 400,
  detail: 'The request is not valid; see errors.',
  code: 'validation_failed',
  errors: [
    {
      field: 'release.capsularLevel',
      code: 'required',
      message: 'release.capsularLevel is required for a capsular release',
    },
    { field: 'portals[1]', code: 'invalid_code', message: 'portals[1] must be one of the listed codes' },
    { field: 'portals[2]', code: 'invalid_code', message: 'portals[2] must be one of the listed codes' },
    { field: 'surgeonId', code: 'not_a_surgeon', message: 'surgeonId must name an active surgeon' },
  ],
  correlationId: '4d7c1d1e-93a8-4a53-9f0b-6f7c0d3b1a20',
};
const stale = {
  type: `${base}precondition_failed`,
  title: 'Precondition failed',
  status: 412,
  detail: 'The record has changed since you read it: reload it and apply your change again.',
  code: 'precondition_failed',
  currentVersion: 4,
  correlationId: 'c1',
};
const versionMissing = {
  type: `${base}precondition_required`,
  title: 'Precondition required',
  status: 428,
  detail: "This write needs an If-Match header with the record's ETag.",
  code: 'precondition_required',
  correlationId: 'c2',
};
const duplicate = {
  type: `${base}duplicate`,
  title: 'Duplicate',
  status: 409,
  detail: 'A patient with this MRN is already registered.',
  code: 'duplicate',
  existingId: '9b2f6b7e-3c2a-4d6f-9a51-1f1f2d3c4b5a',
  correlationId: 'c3',
};
const notFound = {
  type: `${base}not_found`,
  title: 'Not found',
  status: 404,
  detail: 'The case was not found.',
  code: 'not_found',
  correlationId: 'c4',
};
const serverError = {
  type: 'about:blank',
  title: 'Internal Server Error',
  status: 500,
  detail: 'An unexpected error occurred. Quote correlation id c5 when reporting it.',
  correlationId: 'c5',
};

describe('problem bodies used here', () => {
  it.each([validation, stale, versionMissing, duplicate, notFound, serverError])(
    'match the Problem schema: $code',
    (body) => {
      expect(schemaErrors('Problem', body)).toEqual([]);
      expect(isProblemBody(body)).toBe(true);
    },
  );
});

describe('describeProblem', () => {
  it('puts field errors at their form fields, in words, and the rest with the message', () => {
    const view = describeProblem(400, validation, { formFields: ['release.capsularLevel', 'portals'] });
    expect(view.kind).toBe('validation');
    expect(view.message).toBe('The request is not valid; see errors.');
    expect(view.fieldErrors).toEqual({
      'release.capsularLevel': 'Capsular level is required for a capsular release.',
      portals: 'Portals must be one of the listed codes.',
    });
    expect(view.otherErrors).toEqual(['Surgeon must name an active surgeon.']);
    expect(view.correlationId).toBe(validation.correlationId);
  });

  it('keeps every field error at a field when the form does not list its fields', () => {
    expect(Object.keys(describeProblem(400, validation).fieldErrors)).toEqual([
      'release.capsularLevel',
      'portals',
      'surgeonId',
    ]);
  });

  it('says how many errors the server left out', () => {
    const view = describeProblem(400, { ...validation, errors: validation.errors.slice(0, 1), errorsOmitted: 7 });
    expect(view.otherErrors).toEqual(['7 more problems were not listed.']);
  });

  it('recognises 412: someone else changed the record; the typing is kept', () => {
    const view = describeProblem(412, stale);
    expect(view.kind).toBe('stale');
    expect(view.currentVersion).toBe(4);
    expect(view.message).toMatch(/Someone else changed this record/);
    expect(view.message).toMatch(/what you typed here is kept/);
  });

  it('recognises 428: the change was sent without the record version', () => {
    const view = describeProblem(428, versionMissing);
    expect(view.kind).toBe('version_missing');
    expect(view.message).not.toMatch(/If-Match|ETag/);
  });

  it('keeps the detail of other problems, and the existing patient of a duplicate MRN', () => {
    expect(describeProblem(404, notFound)).toMatchObject({ kind: 'not_found', message: 'The case was not found.' });
    expect(describeProblem(409, duplicate)).toMatchObject({
      kind: 'duplicate',
      message: 'A patient with this MRN is already registered.',
      existingId: duplicate.existingId,
    });
    expect(describeProblem(500, serverError)).toMatchObject({ kind: 'server_error', message: serverError.detail });
  });

  it('answers in words when the body is not a problem, or there was no answer', () => {
    expect(describeProblem(502, '<html>Bad gateway</html>')).toMatchObject({
      kind: 'server_error',
      message: 'The registry answered with an error (502). Try again; if it persists, report it.',
      fieldErrors: {},
    });
    expect(describeProblem(0, undefined).kind).toBe('network');
    expect(describeProblem(0, undefined).message).toMatch(/could not be reached/);
  });

  it('tells a status apart when the body has no code', () => {
    expect(problemKind(401)).toBe('unauthenticated');
    expect(problemKind(412)).toBe('stale');
    expect(problemKind(428)).toBe('version_missing');
    expect(problemKind(429)).toBe('throttled');
    expect(problemKind(503)).toBe('unavailable');
  });
});

describe('field paths and messages', () => {
  it('maps an item of a list to the list', () => {
    expect(formFieldOf('portals[2]')).toBe('portals');
    expect(formFieldOf('reoperation.date')).toBe('reoperation.date');
  });

  it('words codes and paths, and leaves ordinary words alone', () => {
    expect(
      fieldErrorMessage({
        field: 'reoperation.procedure',
        code: 'conversion_needs_arthroplasty',
        message: "a conversion to arthroplasty needs reoperation.procedure 'total_hip_arthroplasty'",
      }),
    ).toBe('A conversion to arthroplasty needs Reoperation procedure “Total hip arthroplasty”.');
    expect(fieldErrorMessage({ field: 'side', code: 'invalid_code', message: 'side must be left or right' })).toBe(
      'Side must be left or right.',
    );
  });

  it('keeps the first message when a field has several', () => {
    expect(
      fieldErrorsOf([
        { field: 'portals[0]', code: 'a', message: 'first' },
        { field: 'portals[3]', code: 'b', message: 'second' },
      ]),
    ).toEqual({ portals: 'First.' });
  });
});
