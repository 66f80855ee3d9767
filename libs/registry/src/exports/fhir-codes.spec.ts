import { describe, expect, it } from '@jest/globals';
import { COMPLICATION_TYPE, REOPERATION_PROCEDURE, type Vocabulary } from '@ilr/clinical';
import { COMPLICATION_CODES, LOCAL_ONLY, OBSERVATION_LOINC, REOPERATION_CODES } from './fhir-codes.js';
import { CODE_SYSTEMS, OBSERVATION_CODE } from './fhir-terminology.js';

// The mapping table stays exact: every code of a mapped vocabulary is either mapped to a standard
// code or listed as local-only, never both, and every mapped key is a real local code.
describe('FHIR standard-code mapping', () => {
  it.each([
    [COMPLICATION_TYPE.name, COMPLICATION_TYPE, COMPLICATION_CODES],
    [REOPERATION_PROCEDURE.name, REOPERATION_PROCEDURE, REOPERATION_CODES],
  ] as Array<[string, Vocabulary<string>, Record<string, unknown>]>)(
    'splits every %s code into mapped or local-only',
    (_name, vocabulary, mapped) => {
      const localOnly = LOCAL_ONLY.find((row) => row.vocabulary === vocabulary.name)!.codes;
      expect(Object.keys(mapped).filter((code) => !vocabulary.codes.includes(code))).toEqual([]);
      expect(localOnly.filter((code) => code in mapped)).toEqual([]);
      expect([...Object.keys(mapped), ...localOnly].sort()).toEqual([...vocabulary.codes].sort());
    },
  );

  it('maps LOINC only onto local observation codes that exist', () => {
    expect(
      Object.keys(OBSERVATION_LOINC).filter((code) => !(OBSERVATION_CODE.codes as readonly string[]).includes(code)),
    ).toEqual([]);
  });

  it('gives every code system a unique id and url, and every concept a display', () => {
    const ids = CODE_SYSTEMS.map((cs) => cs.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const cs of CODE_SYSTEMS) {
      const concepts = cs.concept as Array<{ code: string; display: string }>;
      expect(cs.count).toBe(concepts.length);
      expect(concepts.filter((c) => !c.display)).toEqual([]);
    }
  });
});
