import { describe, expect, it } from '@jest/globals';
import { labelLetters, surgeonLabels, surgeonNaming } from './surgeon-labels.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const names = new Map([
  [A, 'Dr Ada'],
  [B, 'Dr Bea'],
  [C, 'Dr Cy'],
]);

describe(labelLetters.name, () => {
  it('counts A–Z, then AA, AB … as spreadsheet columns do', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(labelLetters)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });

  it('refuses a negative or fractional index', () => {
    expect(() => labelLetters(-1)).toThrow(RangeError);
    expect(() => labelLetters(1.5)).toThrow(RangeError);
  });
});

describe(surgeonLabels.name, () => {
  it('letters the distinct ids in id order, whatever order they come in', () => {
    expect([...surgeonLabels([C, A, B, A])]).toEqual([
      [A, 'Surgeon A'],
      [B, 'Surgeon B'],
      [C, 'Surgeon C'],
    ]);
    expect(surgeonLabels([B, C, A])).toEqual(surgeonLabels([A, B, C]));
  });

  it('gives 28 surgeons Surgeon A … Surgeon Z, Surgeon AA, Surgeon AB', () => {
    const ids = Array.from({ length: 28 }, (_, i) => `id-${String(i).padStart(2, '0')}`);
    const labels = surgeonLabels(ids.reverse());
    expect(labels.get('id-00')).toBe('Surgeon A');
    expect(labels.get('id-25')).toBe('Surgeon Z');
    expect(labels.get('id-26')).toBe('Surgeon AA');
    expect(labels.get('id-27')).toBe('Surgeon AB');
    expect(new Set(labels.values()).size).toBe(28);
  });
});

describe(surgeonNaming.name, () => {
  it('names the surgeons the caller may see and labels the others by their place in the whole set', () => {
    const naming = surgeonNaming({
      surgeonIds: [A, B, C],
      displayNames: names,
      mayName: (id) => id === B,
      anonymise: false,
    });
    expect([A, B, C].map((id) => naming.label(id))).toEqual(['Surgeon A', 'Dr Bea', 'Surgeon C']);
    expect([A, B, C].map((id) => naming.id(id))).toEqual([null, B, null]);
  });

  it('labels everyone and gives no id when anonymised, even to a caller who may see names', () => {
    const naming = surgeonNaming({ surgeonIds: [C, B, A], displayNames: names, mayName: () => true, anonymise: true });
    expect(naming.anonymised).toBe(true);
    expect([A, B, C].map((id) => naming.label(id))).toEqual(['Surgeon A', 'Surgeon B', 'Surgeon C']);
    expect([A, B, C].map((id) => naming.id(id))).toEqual([null, null, null]);
  });

  it('refuses a surgeon outside the set it was built over', () => {
    const naming = surgeonNaming({ surgeonIds: [A], displayNames: names, mayName: () => false, anonymise: false });
    expect(() => naming.label(B)).toThrow();
  });
});
