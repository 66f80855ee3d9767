import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Field } from './validation.js';
import { toFieldErrors } from './validation-errors.js';

class Answers {
  @Field.items({ optional: true, length: 3, min: 0, max: 4, integer: true, allowNa: true }) hos?: unknown[];
}

class Visit {
  @Field.date() visitDate: string;
  @Field.codes(['a', 'b', 'c'] as const, { minItems: 1 }) portals: string[];
  @Field.nested(() => Answers, { optional: true }) proms?: Answers;
}

async function errorsFor(body: object) {
  const errors = await validate(plainToInstance(Visit, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: true },
  });
  return toFieldErrors(errors);
}

describe(toFieldErrors.name, () => {
  it('puts a list item at its own path, from the validator data rather than its message', async () => {
    expect(await errorsFor({ visitDate: '2025-01-01', portals: ['a', 'x'] })).toEqual([
      { field: 'portals[1]', code: 'invalid_code', message: 'portals[1] must be one of: a, b, c' },
    ]);
    expect(await errorsFor({ visitDate: '2025-01-01', portals: ['a', 'b', 'a'] })).toEqual([
      { field: 'portals[2]', code: 'duplicate_item', message: 'portals[2] repeats an earlier item' },
    ]);
  });

  it('nests item paths under their parent, and reports the list as a whole by its own path', async () => {
    expect(await errorsFor({ visitDate: '2025-01-01', portals: ['a'], proms: { hos: [1, 'x', 2] } })).toEqual([
      { field: 'proms.hos[1]', code: 'invalid_type', message: "proms.hos[1] must be a whole number 0–4, 'na' or null" },
    ]);
    expect(await errorsFor({ visitDate: '2025-01-01', portals: ['a'], proms: { hos: [1, 9, 2] } })).toEqual([
      expect.objectContaining({ field: 'proms.hos[1]', code: 'out_of_range' }),
    ]);
    expect(await errorsFor({ visitDate: '2025-01-01', portals: ['a'], proms: { hos: [1] } })).toEqual([
      expect.objectContaining({ field: 'proms.hos', code: 'invalid_items' }),
    ]);
  });

  it('tells a malformed date from one outside the clinical range', async () => {
    expect(await errorsFor({ visitDate: '2025-02-30', portals: ['a'] })).toEqual([
      { field: 'visitDate', code: 'invalid_format', message: 'visitDate must be a calendar date YYYY-MM-DD' },
    ]);
    expect(await errorsFor({ visitDate: '0000-01-01', portals: ['a'] })).toEqual([
      {
        field: 'visitDate',
        code: 'out_of_range',
        message: 'visitDate must be a date from 1800-01-01 to 2999-12-31',
      },
    ]);
  });

  it('never copies the rejected value into a field error', async () => {
    const errors = await errorsFor({ visitDate: 'SECRET-MRN-1', portals: ['SECRET-MRN-2'], extra: 'SECRET-MRN-3' });
    expect(JSON.stringify(errors)).not.toContain('SECRET');
    expect(errors.map((e) => e.field).sort()).toEqual(['extra', 'portals[0]', 'visitDate']);
  });
});
