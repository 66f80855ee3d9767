import { describe, expect, it } from 'vitest';
import { SCHEDULED_TIMEPOINTS } from '@ilr/clinical';
import { overdueText } from './overdue.js';
import { TIMEPOINT_LABELS as TIMEPOINT_WORDS } from './visit-labels.js';
import { schemaOf } from './testing/openapi.js';

describe('overdueText', () => {
  it('names every timepoint the API can report in words', () => {
    const codes = schemaOf('ScheduledTimepoint').enum as string[];
    expect([...codes].sort()).toEqual([...SCHEDULED_TIMEPOINTS].sort());
    for (const code of SCHEDULED_TIMEPOINTS) expect(TIMEPOINT_WORDS[code]).not.toMatch(/^\d+[a-z]$|^preop$/);
  });

  it('lists the overdue timepoints in window order, in words', () => {
    expect(overdueText(['3m', '6w'])).toBe(`Follow-up overdue: ${TIMEPOINT_WORDS['6w']}, ${TIMEPOINT_WORDS['3m']}`);
    expect(overdueText(['preop'])).toBe(`Follow-up overdue: ${TIMEPOINT_WORDS.preop}`);
  });

  it('is null when nothing is overdue', () => {
    expect(overdueText([])).toBeNull();
    expect(overdueText(undefined)).toBeNull();
  });
});
