import { describe, expect, it } from 'vitest';
import { completeCaseValues } from '../../logic/testing/case-values.js';
import { schemaErrors } from '../../logic/testing/openapi.js';
import { localToday, prepareCaseSubmission } from './case-submission.js';

const today = '2026-06-01';

describe('prepareCaseSubmission', () => {
  it('sends a consistent case as a CreateCaseRequest that openapi.json accepts', () => {
    const submission = prepareCaseSubmission(completeCaseValues(), today);
    expect(submission.ok).toBe(true);
    if (submission.ok) expect(schemaErrors('CreateCaseRequest', submission.body)).toEqual([]);
  });

  it('drops answers to questions that no longer apply before sending', () => {
    // The surgeon chose a capsular release, picked a level, then changed to the lesser trochanter.
    const values = completeCaseValues({
      release: { location: 'lesser_trochanter', capsularLevel: 'peripheral_compartment' },
      diagnosticInjection: { performed: false, response: 'no_relief' },
      portals: ['anterolateral'],
      portalsOther: 'typed before unticking other',
    });
    const submission = prepareCaseSubmission(values, today);
    expect(submission.ok).toBe(true);
    if (!submission.ok) return;
    expect(submission.body.release).toEqual({
      location: 'lesser_trochanter',
      technique: 'fractional_lengthening',
      tendonBundles: 1,
    });
    expect(submission.body.diagnosticInjection).toEqual({ performed: false });
    expect('portalsOther' in submission.body).toBe(false);
    expect(schemaErrors('CreateCaseRequest', submission.body)).toEqual([]);
  });

  it('stops at the fields the rules find wrong, keyed by field path, and sends nothing', () => {
    const submission = prepareCaseSubmission(
      completeCaseValues({
        capsulotomy: 'none',
        capsularClosure: true,
        release: { tendonBundles: 2 },
        anesthesia: null,
      }),
      today,
    );
    expect(submission).toEqual({
      ok: false,
      errors: {
        anesthesia: 'Anaesthesia is required.',
        'release.allBundlesReleased': 'All bundles released is required when Tendon bundles > 1.',
      },
    });
  });

  it('gives the local calendar date as YYYY-MM-DD', () => {
    expect(localToday(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
