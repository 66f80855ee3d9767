import { describe, expect, it } from '@jest/globals';
import { fingerprint, SeenRecords } from './import-rows.js';

describe(SeenRecords.name, () => {
  it('remembers the first line and values of every record through its growth, and nothing it was not told', () => {
    const seen = new SeenRecords();
    const n = 100_000;
    for (let i = 0; i < n; i++) seen.set(`case:${i}`, i + 2, fingerprint({ i }));
    // A record named again keeps its first line.
    seen.set('case:7', 99, fingerprint({ other: true }));
    for (const i of [0, 7, 12_345, n - 1])
      expect(seen.get(`case:${i}`)).toEqual({ line: i + 2, fingerprint: fingerprint({ i }) });
    for (let i = n; i < n + 1000; i++) expect(seen.get(`case:${i}`)).toBeUndefined();
  });

  it('tells equal values from different ones', () => {
    expect(fingerprint({ a: 1, b: [2] })).toBe(fingerprint({ a: 1, b: [2] }));
    expect(fingerprint({ a: 1, b: [2] })).not.toBe(fingerprint({ a: 1, b: [3] }));
  });
});
