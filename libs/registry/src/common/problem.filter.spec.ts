import { describe, expect, it } from '@jest/globals';
import { DomainError, ErrorCode, PROBLEM_TYPE_BASE } from './errors.js';
import { domainProblem, RESERVED_PROBLEM_MEMBERS } from './problem.filter.js';

describe(domainProblem.name, () => {
  it('keeps extensions that add to a problem', () => {
    const error = new DomainError(ErrorCode.Conflict, 'The export is queued; its file is not ready.', {
      extensions: { jobStatus: 'queued', id: 'x' },
    });
    expect(domainProblem(error, 'corr-1')).toEqual({
      body: {
        type: PROBLEM_TYPE_BASE + ErrorCode.Conflict,
        title: 'Conflict',
        status: 409,
        detail: 'The export is queued; its file is not ready.',
        code: ErrorCode.Conflict,
        jobStatus: 'queued',
        id: 'x',
        correlationId: 'corr-1',
      },
      ignored: [],
    });
  });

  it('never lets an extension replace status, type, title, detail, instance, code, errors or correlationId', () => {
    const hostile = Object.fromEntries([...RESERVED_PROBLEM_MEMBERS].map((name) => [name, `from-extension-${name}`]));
    const error = new DomainError(ErrorCode.Conflict, 'the detail', {
      errors: [{ field: 'a', code: 'b', message: 'c' }],
      extensions: { ...hostile, status: 'queued', jobStatus: 'running' },
    });
    const { body, ignored } = domainProblem(error, 'corr-2');
    expect(body).toEqual({
      type: PROBLEM_TYPE_BASE + ErrorCode.Conflict,
      title: 'Conflict',
      status: 409,
      detail: 'the detail',
      code: ErrorCode.Conflict,
      errors: [{ field: 'a', code: 'b', message: 'c' }],
      correlationId: 'corr-2',
      jobStatus: 'running',
    });
    expect(ignored.sort()).toEqual(
      ['code', 'correlationId', 'detail', 'errors', 'instance', 'status', 'title', 'type'].sort(),
    );
  });

  it('leaves out errors and instance when the error has none, even if an extension names them', () => {
    const error = new DomainError(ErrorCode.NotFound, 'The export was not found.', {
      extensions: { errors: ['x'], instance: '/elsewhere' },
    });
    const { body } = domainProblem(error, 'corr-3');
    expect(body).not.toHaveProperty('errors');
    expect(body).not.toHaveProperty('instance');
    expect(body.status).toBe(404);
  });
});
