import { describe, expect, it } from 'vitest';
import type { Vocabulary } from '@ilr/clinical';
import { CASE_VOCABULARIES, COMPLICATION_VOCABULARIES, FIELD_LABELS, fieldLabel, optionsOf } from './labels.js';
import { schemaOf, schemaProperties } from './testing/openapi.js';

// Every property path of a request schema, following $refs into nested objects.
function paths(schemaName: string, prefix = ''): string[] {
  return Object.entries(schemaProperties(schemaName)).flatMap(([name, property]) => {
    const path = prefix + name;
    const refs = [property.$ref, ...((property as { anyOf?: { $ref?: string }[] }).anyOf ?? []).map((p) => p.$ref)];
    const nested = refs
      .filter((ref): ref is string => !!ref)
      .map((ref) => ref.split('/').pop()!)
      .find((name) => schemaOf(name).type === 'object' && schemaOf(name).properties);
    return nested ? [path, ...paths(nested, `${path}.`)] : [path];
  });
}

describe('labels', () => {
  it('names every field of CreateCaseRequest and CreateComplicationRequest in words', () => {
    const missing = [...paths('CreateCaseRequest'), ...paths('CreateComplicationRequest')].filter(
      (p) => !FIELD_LABELS[p],
    );
    expect(missing).toEqual([]);
  });

  it('offers every code of every vocabulary the forms use, each with words, never the raw code', () => {
    for (const vocabulary of [
      ...Object.values(CASE_VOCABULARIES),
      ...Object.values(COMPLICATION_VOCABULARIES),
    ] as Vocabulary<string>[]) {
      const options = optionsOf(vocabulary);
      expect(options.map((o) => o.value)).toEqual(vocabulary.codes);
      for (const option of options) {
        expect(option.label.trim()).not.toBe('');
        if (option.value.includes('_')) expect(option.label).not.toContain(option.value);
        // No API field name in a label (a vocabulary says "Other (see portalsOther)").
        expect(option.label).not.toMatch(/[a-z][A-Z]/);
      }
    }
  });

  it('uses the vocabulary codes of the API for each field', () => {
    const enumOf = (schema: string, field: string) => {
      const property = (
        schemaProperties(schema) as Record<
          string,
          { $ref?: string; anyOf?: { $ref?: string }[]; items?: { $ref?: string } }
        >
      )[field];
      const ref = property.$ref ?? property.items?.$ref ?? property.anyOf?.find((p) => p.$ref)?.$ref;
      return schemaOf(ref!.split('/').pop()!).enum;
    };
    expect(CASE_VOCABULARIES.portals.codes).toEqual(enumOf('CreateCaseRequest', 'portals'));
    expect(CASE_VOCABULARIES.indications.codes).toEqual(enumOf('CreateCaseRequest', 'indications'));
    expect(COMPLICATION_VOCABULARIES.type.codes).toEqual(enumOf('CreateComplicationRequest', 'type'));
    expect(COMPLICATION_VOCABULARIES.recurrenceCause.codes).toEqual(
      enumOf('CreateComplicationRequest', 'recurrenceCause'),
    );
  });

  it('labels an item of a list like the list', () => {
    expect(fieldLabel('portals[2]')).toBe('Portals');
    expect(fieldLabel('no.such.field')).toBe('This field');
  });
});
