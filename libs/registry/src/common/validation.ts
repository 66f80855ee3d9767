import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

// Composite decorators: each declares a field's validation and its OpenAPI schema at once, so the
// OpenAPI document that forms and importers read cannot drift from what the server enforces.
//
// `optional`: the field may be absent. `nullable`: it may be an explicit null (for PATCH, null clears
// a value). A field that is neither must be present and not null.
export interface FieldOptions {
  optional?: boolean;
  // A query-string value: numbers and booleans arrive as text and are converted when well-formed.
  query?: boolean;
  nullable?: boolean;
  description?: string;
  example?: unknown;
}

function presence({ optional, nullable }: FieldOptions): PropertyDecorator[] {
  if (optional && nullable) return [IsOptional()];
  if (optional) return [ValidateIf((_object, value) => value !== undefined)];
  if (nullable)
    return [ValidateIf((_object, value) => value !== null), IsDefined({ message: '$property is required' })];
  return [IsDefined({ message: '$property is required' })];
}

function doc(options: FieldOptions, schema: ApiPropertyOptions): PropertyDecorator {
  return ApiProperty({
    required: !options.optional,
    nullable: options.nullable,
    description: options.description,
    example: options.example,
    ...schema,
  } as ApiPropertyOptions);
}

// The dates this registry accepts anywhere (bodies, filters, cursors). Below: DOMAIN.md allows surgery from
// 2000-01-01 at an age of up to 100, so the earliest birth date a case can have is 1899-01-02; 1800-01-01 is a
// round floor under it. Above: no clinical date may be in the future, so the ceiling matters only for
// filters, and 2999-12-31 keeps every `date ± days` the code computes within the four-digit years that
// PostgreSQL, JavaScript's Date and `YYYY-MM-DD` share (PostgreSQL has no year 0000, which used to be a 500).
export const CLINICAL_DATE_RANGE = { min: '1800-01-01', max: '2999-12-31' } as const;

const DATE_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

// What is wrong with a value, as data: the code and message of its field error, and for a list the
// index of the offending item. Validators built with `problemValidator` carry their `problemOf` in
// the constraint's context, and toFieldErrors (validation-errors.ts) reads the field path and code
// from it instead of from the message.
export interface ValueProblem {
  index?: number;
  code: string;
  message: string;
}
export type ProblemOf = (value: unknown) => ValueProblem | undefined;
export const PROBLEM_OF = 'problemOf';

function problemValidator(name: string, problemOf: ProblemOf): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { context: { [PROBLEM_OF]: problemOf } },
      validator: {
        validate: (value: unknown) => problemOf(value) === undefined,
        defaultMessage: (args) => {
          const problem = problemOf(args?.value);
          if (!problem) return '$property is invalid';
          return problem.index === undefined
            ? `$property ${problem.message}`
            : `$property[${problem.index}] ${problem.message}`;
        },
      },
    });
}

function clinicalDateProblem(value: unknown): ValueProblem | undefined {
  if (typeof value !== 'string' || !DATE_FORMAT.test(value))
    return { code: 'invalid_format', message: 'must be a calendar date YYYY-MM-DD' };
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
    return { code: 'invalid_format', message: 'must be a calendar date YYYY-MM-DD' };
  // Text order is date order for YYYY-MM-DD.
  if (value < CLINICAL_DATE_RANGE.min || value > CLINICAL_DATE_RANGE.max)
    return {
      code: 'out_of_range',
      message: `must be a date from ${CLINICAL_DATE_RANGE.min} to ${CLINICAL_DATE_RANGE.max}`,
    };
  return undefined;
}

// A calendar date `YYYY-MM-DD` that exists (no 2023-02-30), within CLINICAL_DATE_RANGE.
export function isClinicalDate(value: unknown): value is string {
  return clinicalDateProblem(value) === undefined;
}

function IsCodeList(codes: readonly string[]): PropertyDecorator {
  return problemValidator('isCodeList', (value) => {
    if (!Array.isArray(value)) return undefined;
    const seen = new Set<unknown>();
    for (const [index, item] of value.entries()) {
      if (typeof item !== 'string' || !codes.includes(item)) {
        return { index, code: 'invalid_code', message: `must be one of: ${codes.join(', ')}` };
      }
      if (seen.has(item)) return { index, code: 'duplicate_item', message: 'repeats an earlier item' };
      seen.add(item);
    }
    return undefined;
  });
}

// A fixed-length list of item answers (a questionnaire): each a number in range (whole numbers when
// `integer`), or null for unanswered, or 'na' where the instrument has "not applicable".
function IsItemList(rule: {
  length: number;
  min: number;
  max: number;
  integer: boolean;
  allowNa: boolean;
}): PropertyDecorator {
  const describe = `${rule.integer ? 'a whole number' : 'a number'} ${rule.min}–${rule.max}${rule.allowNa ? ", 'na'" : ''} or null`;
  return problemValidator('isItemList', (value) => {
    if (!Array.isArray(value)) return undefined;
    if (value.length !== rule.length)
      return {
        code: 'invalid_items',
        message: `must have exactly ${rule.length} items (null for unanswered)`,
      };
    for (const [index, item] of value.entries()) {
      if (item === null || (rule.allowNa && item === 'na')) continue;
      const ok =
        typeof item === 'number' &&
        Number.isFinite(item) &&
        item >= rule.min &&
        item <= rule.max &&
        (!rule.integer || Number.isInteger(item));
      if (!ok)
        return {
          index,
          code: typeof item === 'number' ? 'out_of_range' : 'invalid_type',
          message: `must be ${describe}`,
        };
    }
    return undefined;
  });
}

export function IsClinicalDate(): PropertyDecorator {
  return problemValidator('isClinicalDate', clinicalDateProblem);
}

function fromQueryNumber(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

function fromQueryBoolean(value: unknown): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}

// The class of each nested DTO property, by the declaring class: what class-transformer's @Type holds, kept
// here too so that the import can build DTO instances without class-transformer (validate-body.ts).
export const NESTED_TYPES = {
  types: new WeakMap<object, Map<string, () => new () => object>>(),
  resolved: new WeakMap<object, Map<string, (new () => object) | null>>(),
  set(property: string, type: () => new () => object, target: object) {
    let map = this.types.get(target);
    if (!map) this.types.set(target, (map = new Map()));
    map.set(property, type);
  },
  // The nested class of a property of this DTO class (or a class it extends).
  get(dto: new () => object, property: string): (new () => object) | undefined {
    let known = this.resolved.get(dto);
    if (!known) this.resolved.set(dto, (known = new Map()));
    let found = known.get(property);
    if (found === undefined) {
      found = null;
      for (let proto = dto.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        const type = this.types.get(proto)?.get(property);
        if (type) {
          found = type();
          break;
        }
      }
      known.set(property, found);
    }
    return found ?? undefined;
  },
};

export const Field = {
  string(options: FieldOptions & { minLength?: number; maxLength: number; pattern?: RegExp }) {
    return applyDecorators(
      ...presence(options),
      IsString(),
      ...(options.minLength !== undefined ? [MinLength(options.minLength)] : []),
      MaxLength(options.maxLength),
      ...(options.pattern ? [Matches(options.pattern)] : []),
      doc(options, {
        type: String,
        minLength: options.minLength,
        maxLength: options.maxLength,
        pattern: options.pattern?.source,
      }),
    );
  },

  email(options: FieldOptions = {}) {
    return applyDecorators(
      ...presence(options),
      IsString(),
      MaxLength(254),
      IsEmail({}, { message: '$property must be an email address' }),
      doc(options, { type: String, format: 'email', maxLength: 254 }),
    );
  },

  uuid(options: FieldOptions = {}) {
    return applyDecorators(
      ...presence(options),
      IsUUID('all', { message: '$property must be a UUID' }),
      doc(options, { type: String, format: 'uuid' }),
    );
  },

  boolean(options: FieldOptions = {}) {
    return applyDecorators(
      ...presence(options),
      ...(options.query ? [Transform(({ value }) => fromQueryBoolean(value))] : []),
      IsBoolean(),
      doc(options, { type: Boolean }),
    );
  },

  int(options: FieldOptions & { min: number; max: number }) {
    return applyDecorators(
      ...presence(options),
      ...(options.query ? [Transform(({ value }) => fromQueryNumber(value))] : []),
      IsInt(),
      Min(options.min),
      Max(options.max),
      doc(options, { type: 'integer', minimum: options.min, maximum: options.max }),
    );
  },

  number(options: FieldOptions & { min: number; max: number; maxDecimals?: number }) {
    return applyDecorators(
      ...presence(options),
      ...(options.query ? [Transform(({ value }) => fromQueryNumber(value))] : []),
      IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: options.maxDecimals }),
      Min(options.min),
      Max(options.max),
      doc(options, { type: 'number', minimum: options.min, maximum: options.max }),
    );
  },

  date(options: FieldOptions = {}) {
    return applyDecorators(...presence(options), IsClinicalDate(), doc(options, { type: String, format: 'date' }));
  },

  code<T extends string>(codes: readonly T[], options: FieldOptions & { enumName?: string } = {}) {
    return applyDecorators(
      ...presence(options),
      IsIn(codes as unknown as unknown[], { message: `$property must be one of: ${codes.join(', ')}` }),
      doc(options, { enum: codes as unknown as string[], enumName: options.enumName }),
    );
  },

  // A list of codes: unique items (DOMAIN.md), `minItems` when the list may not be empty. A bad or
  // repeated item is reported at its own path (`portals[2]`).
  codes<T extends string>(codes: readonly T[], options: FieldOptions & { minItems?: number; enumName?: string } = {}) {
    return applyDecorators(
      ...presence(options),
      IsArray(),
      ...(options.minItems
        ? [ArrayMinSize(options.minItems, { message: `$property must have at least ${options.minItems} item` })]
        : []),
      IsCodeList(codes),
      doc(options, {
        isArray: true,
        enum: codes as unknown as string[],
        enumName: options.enumName,
        minItems: options.minItems,
        uniqueItems: true,
      } as ApiPropertyOptions),
    );
  },

  // Questionnaire answers: exactly `length` items, each in range or null (unanswered) or 'na'.
  items(options: FieldOptions & { length: number; min: number; max: number; integer: boolean; allowNa?: boolean }) {
    const allowNa = options.allowNa ?? false;
    return applyDecorators(
      ...presence(options),
      IsArray(),
      IsItemList({ length: options.length, min: options.min, max: options.max, integer: options.integer, allowNa }),
      doc(options, {
        type: 'array',
        minItems: options.length,
        maxItems: options.length,
        items: allowNa
          ? {
              oneOf: [
                {
                  type: options.integer ? 'integer' : 'number',
                  minimum: options.min,
                  maximum: options.max,
                  nullable: true,
                },
                { type: 'string', enum: ['na'] },
              ],
            }
          : {
              type: options.integer ? 'integer' : 'number',
              minimum: options.min,
              maximum: options.max,
              nullable: true,
            },
      } as ApiPropertyOptions),
    );
  },

  nested(type: () => new () => object, options: FieldOptions = {}) {
    return applyDecorators(
      ...presence(options),
      IsObject({ message: '$property must be an object' }),
      ValidateNested(),
      Type(type),
      (target: object, property: string | symbol) => NESTED_TYPES.set(`${String(property)}`, type, target),
      // Named `type` so that @nestjs/swagger sees a lazy type (it tests the function's name), not a class.
      doc(options, { type: () => type() }),
    );
  },

  password(options: FieldOptions = {}) {
    return applyDecorators(
      ...presence(options),
      IsString(),
      MinLength(12),
      MaxLength(256),
      doc(options, { type: String, minLength: 12, maxLength: 256, format: 'password' }),
    );
  },
};
