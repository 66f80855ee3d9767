import { describe, expect, it } from 'vitest';
import { checkCaseValues } from './case-checks.js';
import { completeCaseValues } from './testing/case-values.js';

const today = '2026-06-01';

describe('checkCaseValues', () => {
  it('finds nothing in a complete, consistent case', () => {
    expect(checkCaseValues(completeCaseValues(), { today })).toEqual({});
  });

  it("reports libs/clinical's findings at the server's field paths, in words", () => {
    const errors = checkCaseValues(
      completeCaseValues({
        surgeryDate: '2026-07-01',
        tractionMinutes: 120,
        operativeMinutes: 60,
        release: { capsularLevel: null },
        impingementRepair: { procedures: ['labral_repair', 'labral_debridement'] },
      }),
      { today },
    );
    expect(errors).toEqual({
      surgeryDate: 'Date of surgery must not be in the future.',
      operativeMinutes: 'Operative time (minutes) must be at least Traction time (minutes).',
      'release.capsularLevel': 'Capsular level is required for a capsular release.',
      'impingementRepair.procedures':
        'At most one of Labral repair, Labral debridement, Labral reconstruction may be given.',
    });
  });

  it('checks the age at surgery against the birth date typed, at the birth date', () => {
    const errors = checkCaseValues(completeCaseValues({ patient: { birthDate: '2020-01-01' } }), { today });
    expect(errors).toEqual({ 'patient.birthDate': 'Age at surgery must be 10–100 years.' });
  });

  it('leaves the age to the server for an existing patient', () => {
    const values = completeCaseValues({
      patientMode: 'existing',
      patientId: '9b2f6b7e-3c2a-4d6f-9a51-1f1f2d3c4b5a',
      patient: { birthDate: '2020-01-01' },
    });
    expect(checkCaseValues(values, { today })).toEqual({});
  });

  it('marks required fields, including those a choice made required', () => {
    const errors = checkCaseValues(
      completeCaseValues({ side: null, portals: ['other'], release: { tendonBundles: 2 } }),
      { today },
    );
    expect(errors).toEqual({
      side: 'Side is required.',
      portalsOther: 'Other portal is required when portals include “Other”.',
      'release.allBundlesReleased': 'All bundles released is required when Tendon bundles > 1.',
    });
  });
});
