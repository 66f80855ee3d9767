import { RELEASE_LOCATION } from '@ilr/clinical';
import { groupLabeller, letterLabel, surgeonLabels } from './labels.js';

describe('chart labels', () => {
  it('letters surgeons A…Z, then AA, AB…', () => {
    expect([0, 1, 25, 26, 27, 51, 52].map(letterLabel)).toEqual([
      'Surgeon A',
      'Surgeon B',
      'Surgeon Z',
      'Surgeon AA',
      'Surgeon AB',
      'Surgeon AZ',
      'Surgeon BA',
    ]);
  });

  it("names surgeons by the report's label, else by a letter in the report's order; unnamed ones as another surgeon", () => {
    const label = surgeonLabels([
      { id: 'x', surgeonLabel: null },
      { id: null },
      { id: 'y', surgeonLabel: 'Dr Y' },
      { id: 'z' },
      { id: 'x' },
    ]);
    expect(['x', 'y', 'z', null, 'unknown'].map(label)).toEqual([
      'Surgeon A',
      'Dr Y',
      'Surgeon C',
      'Another surgeon',
      'Another surgeon',
    ]);
    const override = surgeonLabels([{ id: 'x' }], (id) => `named ${id}`);
    expect(override('x')).toBe('named x');
  });

  it('puts group keys in words from the vocabularies', () => {
    const groups = [{ key: 'capsular' }, { key: 'lesser_trochanter' }];
    const byLocation = groupLabeller(groups, { groupBy: 'releaseLocation' });
    expect(groups.map((g) => byLocation(g.key))).toEqual(RELEASE_LOCATION.codes.map((c) => RELEASE_LOCATION.labels[c]));
    expect(groupLabeller([{ key: 'all' }], {})('all')).toBe('All cases');
    const repair = groupLabeller([], { groupBy: 'impingementRepair' });
    expect([repair('true'), repair('false')]).toEqual(['Impingement repair', 'No impingement repair']);
    const bySurgeon = groupLabeller([{ key: 'id-1' }, { key: 'id-2', surgeonLabel: 'Dr Two' }], { groupBy: 'surgeon' });
    expect([bySurgeon('id-1'), bySurgeon('id-2')]).toEqual(['Surgeon A', 'Dr Two']);
  });
});
