import type { SchemaObject } from '@nestjs/swagger';
import { DATASETS } from './export.dto.js';

// GET /exports/dictionary (exports.service.ts `dictionary()`) as an OpenAPI 3.1 schema: a plain object,
// so written here beside the export DTOs. Objects stay open where the dictionary may gain members.
const column: SchemaObject = {
  type: 'object',
  required: ['name', 'type', 'unit', 'description', 'deidentification', 'inDeidentifiedExports', 'codes'],
  properties: {
    name: { type: 'string' },
    type: { type: 'string', description: 'string, integer, number, boolean, code, codes, date or json' },
    unit: { type: ['string', 'null'] } as unknown as SchemaObject,
    description: { type: 'string' },
    deidentification: {
      type: 'string',
      description: 'kept, pseudonymised, day, year, age or identified_only (see `deidentification` above)',
    },
    inDeidentifiedExports: { type: 'boolean' },
    codes: {
      anyOf: [
        {
          type: 'array',
          items: {
            type: 'object',
            required: ['code', 'label'],
            properties: { code: { type: 'string' }, label: { type: 'string' } },
          },
        },
        { type: 'null' },
      ],
    } as SchemaObject,
  },
};

export const DICTIONARY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['deidentification', 'datasets'],
  properties: {
    deidentification: {
      type: 'object',
      description: 'Each de-identification rule and what it does',
      additionalProperties: { type: 'string' },
    },
    datasets: {
      type: 'object',
      required: [...DATASETS],
      properties: Object.fromEntries(DATASETS.map((dataset) => [dataset, { type: 'array', items: column }])),
      additionalProperties: false,
    },
  },
};
