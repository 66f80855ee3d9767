import type { ValidationError } from 'class-validator';
import type { FieldError } from './errors.js';
import { PROBLEM_OF, type ProblemOf } from './validation.js';

// class-validator constraint names → the stable `code` of a field error.
const CONSTRAINT_CODES: Record<string, string> = {
  whitelistValidation: 'unknown_property',
  isDefined: 'required',
  isNotEmpty: 'required',
  isIn: 'invalid_code',
  isEnum: 'invalid_code',
  min: 'out_of_range',
  max: 'out_of_range',
  minLength: 'too_short',
  maxLength: 'too_long',
  arrayMinSize: 'too_few_items',
  arrayMaxSize: 'too_many_items',
  arrayUnique: 'duplicate_items',
  isInt: 'invalid_type',
  isNumber: 'invalid_type',
  isString: 'invalid_type',
  isBoolean: 'invalid_type',
  isArray: 'invalid_type',
  isObject: 'invalid_type',
  nestedValidation: 'invalid_type',
  isUuid: 'invalid_format',
  isEmail: 'invalid_format',
  isDateString: 'invalid_format',
  isIso8601: 'invalid_format',
  matches: 'invalid_format',
  isClinicalDate: 'invalid_format',
  isItemList: 'invalid_items',
};

const FIRST = [
  'whitelistValidation',
  'isDefined',
  'isNotEmpty',
  'nestedValidation',
  'isArray',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isObject',
];

function priority(constraint: string): number {
  const index = FIRST.indexOf(constraint);
  return index === -1 ? FIRST.length : index;
}

function join(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

// A validator from validation.ts that describes its problem as data (the item index and code), read
// from the constraint's context. It needs the ValidationError's value, which the pipe keeps for this
// only: no value is ever copied into a field error.
function problemOf(error: ValidationError, constraint: string): ProblemOf | undefined {
  const context = error.contexts?.[constraint] as Record<string, unknown> | undefined;
  const problem = context?.[PROBLEM_OF];
  return typeof problem === 'function' ? (problem as ProblemOf) : undefined;
}

// Flattens class-validator's tree into JSON-path field errors. The rejected value is never echoed:
// it may be a patient identifier.
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = join(parent, error.property);
    const constraints = error.constraints ?? {};
    // One error per field is clearer than a cascade ("must be an integer", "must not be less than 0"…):
    // the most basic failure wins (unknown, missing, wrong type, then the rest).
    const [name, message] = Object.entries(constraints).sort(([a], [b]) => priority(a) - priority(b))[0] ?? [];
    const problem = name ? problemOf(error, name)?.(error.value) : undefined;
    if (problem) {
      const field = problem.index === undefined ? path : `${path}[${problem.index}]`;
      out.push({ field, code: problem.code, message: `${field} ${problem.message}` });
    } else if (name) {
      const code = CONSTRAINT_CODES[name] ?? 'invalid';
      out.push({
        field: path,
        code,
        message:
          name === 'whitelistValidation' ? `${path} is not a known property` : message.replace(error.property, path),
      });
    }
    if (error.children?.length) out.push(...toFieldErrors(error.children, path));
  }
  return out;
}
