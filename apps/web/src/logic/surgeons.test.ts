import { describe, expect, it } from 'vitest';
import { surgeonNamer } from './surgeons.js';

const S1 = '00000000-0000-4000-8000-0000000000b1';
const S2 = '00000000-0000-4000-8000-0000000000a2';
const rows = [{ surgeonId: S1 }, { surgeonId: S2 }, { surgeonId: S1 }];

describe('surgeonNamer', () => {
  it('uses known names, and stable letters in id order for the others', () => {
    const anonymous = surgeonNamer(rows);
    // S2's id sorts first: Surgeon A.
    expect(anonymous(S2)).toBe('Surgeon A');
    expect(anonymous(S1)).toBe('Surgeon B');
    const named = surgeonNamer(rows, new Map([[S1, 'Dr Ada Lovelace']]));
    expect(named(S1)).toBe('Dr Ada Lovelace');
    expect(named(S2)).toBe('Surgeon A');
    expect(named('someone-else')).toBe('Unknown surgeon');
  });

  it("takes the report's own names where it gives them", () => {
    const nameOf = surgeonNamer([{ surgeonId: S1, surgeonLabel: 'Dr Grace Hopper' }, { surgeonId: S2 }]);
    expect(nameOf(S1)).toBe('Dr Grace Hopper');
    expect(nameOf(S2)).toBe('Surgeon A');
  });

  it('runs past Z', () => {
    const ids = Array.from({ length: 28 }, (_, i) => `id-${String(i).padStart(2, '0')}`);
    const nameOf = surgeonNamer(ids.map((surgeonId) => ({ surgeonId })));
    expect([nameOf(ids[25]), nameOf(ids[26]), nameOf(ids[27])]).toEqual(['Surgeon Z', 'Surgeon AA', 'Surgeon AB']);
  });
});
