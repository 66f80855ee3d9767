import { TIMEPOINTS } from '@ilr/clinical';
import { describe, expect, it } from 'vitest';
import { dateInWords, TIMEPOINT_LABELS } from './visit-labels.js';

describe('visit labels', () => {
  it('writes a calendar date in words, whatever the time zone', () => {
    expect(dateInWords('2025-03-14')).toBe('14 March 2025');
    expect(dateInWords('2024-12-01')).toBe('1 December 2024');
    expect(dateInWords('not a date')).toBe('not a date');
  });

  it('has words for every timepoint libs/clinical derives', () => {
    for (const timepoint of TIMEPOINTS) expect(TIMEPOINT_LABELS[timepoint]).toMatch(/^[A-Z0-9]/);
  });
});
