import { plainToInstance } from 'class-transformer';
import { validate, type ValidatorOptions } from 'class-validator';
import type { FieldError } from './errors.js';
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
export async function validateBody<T extends object>(
  dto: new () => T,
  plain: Record<string, unknown>,
): Promise<{ value: T; errors: FieldError[] }> {
  const value = plainToInstance(dto, plain);
  const errors = await validate(value, VALIDATOR_OPTIONS);
  return { value, errors: toFieldErrors(errors) };
}
