import { validateSync, type ValidatorOptions } from 'class-validator';
import type { FieldError } from './errors.js';
import { NESTED_TYPES } from './validation.js';
import { toFieldErrors } from './validation-errors.js';

// The validator settings of every request body: the global ValidationPipe's (setup-app.ts) and the
// import's, which checks each CSV row as the body the API would have been sent.
export const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  // The value stays on the ValidationError for validators that describe their problem as data
  // (validation-errors.ts); it is never copied into a response.
  validationError: { target: false, value: true },
} as const satisfies ValidatorOptions;

// A plain body → the DTO instance, and its field errors (none: valid), as the API's pipe would see it.
// The instance is built as class-transformer's plainToInstance builds a body (`new` of the class, the
// body's keys copied, nested objects as instances of their Field.nested class: request bodies have no
// other transforms), without its per-call metadata look-ups, which cost an import of 100,000 rows more
// than all its other work (validate-body.spec.ts holds the two to the same result). Every validator is
// synchronous, so validateSync runs the same constraints.
export function validateBody<T extends object>(
  dto: new () => T,
  plain: Record<string, unknown>,
): { value: T; errors: FieldError[] } {
  const value = instantiate(dto, plain);
  return { value, errors: toFieldErrors(validateSync(value, VALIDATOR_OPTIONS)) };
}

function instantiate<T extends object>(dto: new () => T, plain: Record<string, unknown>): T {
  const instance = new dto() as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    const value = plain[key];
    const nested = NESTED_TYPES.get(dto, key);
    instance[key] =
      nested && value !== null && typeof value === 'object' && !Array.isArray(value)
        ? instantiate(nested, value as Record<string, unknown>)
        : value;
  }
  return instance as T;
}
