import { describe, expect, it } from 'vitest';
import { answer, Refused, viewOf } from './refusal.js';

const response = (status: number) => new Response(null, { status });

describe('answer', () => {
  it('gives the data of a successful answer, and nothing for a 204', async () => {
    await expect(answer(Promise.resolve({ data: { id: 'a' }, response: response(200) }))).resolves.toEqual({ id: 'a' });
    await expect(answer(Promise.resolve({ response: response(204) }))).resolves.toBeUndefined();
  });

  it('throws the refusal in words, field errors at the form’s fields', async () => {
    const error = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'validation_failed',
      detail: 'The request is not valid.',
      errors: [
        { field: 'password', code: 'too_short', message: 'password must be at least 12 characters' },
        { field: 'unknown', code: 'x', message: 'something else' },
      ],
      correlationId: 'c',
    };
    const refused = await answer(Promise.resolve({ error, response: response(400) }), ['password']).catch((e) => e);
    expect(refused).toBeInstanceOf(Refused);
    expect(viewOf(refused).kind).toBe('validation');
    expect(viewOf(refused).fieldErrors).toEqual({ password: 'Password must be at least 12 characters.' });
    expect(viewOf(refused).otherErrors).toEqual(['Something else.']);
  });

  it('calls a request that never got an answer a network failure', async () => {
    const refused = await answer(Promise.reject(new TypeError('Failed to fetch'))).catch((e) => e);
    expect(viewOf(refused).kind).toBe('network');
    expect(viewOf(new Error('anything')).kind).toBe('network');
  });
});
