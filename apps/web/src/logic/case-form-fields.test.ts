import { describe, expect, it } from 'vitest';
import {
  caseFieldStates,
  complicationFieldStates,
  pruneCaseValues,
  pruneComplicationValues,
  type ComplicationFormValues,
} from './case-form-fields.js';
import { emptyCaseFormValues } from './case-form-values.js';
import { completeCaseValues } from './testing/case-values.js';

describe('caseFieldStates', () => {
  it('shows the capsular level only for a capsular release, and requires it there', () => {
    expect(caseFieldStates(completeCaseValues())['release.capsularLevel']).toEqual({ applies: true, required: true });
    const lesser = completeCaseValues({ release: { location: 'lesser_trochanter' } });
    expect(caseFieldStates(lesser)['release.capsularLevel'].applies).toBe(false);
    // No location chosen yet: nothing to ask.
    expect(caseFieldStates(emptyCaseFormValues())['release.capsularLevel'].applies).toBe(false);
  });

  it('asks whether all bundles were released only when there is more than one', () => {
    expect(caseFieldStates(completeCaseValues())['release.allBundlesReleased'].applies).toBe(false);
    const bifid = caseFieldStates(completeCaseValues({ release: { tendonBundles: 2 } }));
    expect(bifid['release.allBundlesReleased']).toEqual({ applies: true, required: true });
    expect(
      caseFieldStates(completeCaseValues({ release: { tendonBundles: 3 } }))['release.allBundlesReleased'].applies,
    ).toBe(true);
  });

  it('asks for the injection response only when an injection was performed', () => {
    expect(caseFieldStates(completeCaseValues())['diagnosticInjection.response']).toEqual({
      applies: true,
      required: true,
    });
    const none = completeCaseValues({ diagnosticInjection: { performed: false, response: null } });
    expect(caseFieldStates(none)['diagnosticInjection.response'].applies).toBe(false);
  });

  it("asks for the other portal's name only with the portal 'other'", () => {
    expect(caseFieldStates(completeCaseValues()).portalsOther.applies).toBe(false);
    const other = completeCaseValues({ portals: ['anterolateral', 'other'] });
    expect(caseFieldStates(other).portalsOther).toEqual({ applies: true, required: true });
  });

  it('lists impingement procedures only when a repair was performed', () => {
    expect(caseFieldStates(completeCaseValues())['impingementRepair.procedures']).toEqual({
      applies: true,
      required: true,
    });
    const none = completeCaseValues({ impingementRepair: { performed: false, procedures: [] } });
    expect(caseFieldStates(none)['impingementRepair.procedures'].applies).toBe(false);
  });

  it('asks about capsular closure only after a capsulotomy', () => {
    expect(caseFieldStates(completeCaseValues()).capsularClosure.applies).toBe(true);
    expect(
      caseFieldStates(completeCaseValues({ capsulotomy: 'none', capsularClosure: false })).capsularClosure.applies,
    ).toBe(false);
    expect(caseFieldStates(emptyCaseFormValues()).capsularClosure.applies).toBe(false);
  });

  it('asks for a patient id or for the patient, by the chosen mode', () => {
    expect(caseFieldStates(completeCaseValues()).patient.applies).toBe(true);
    expect(caseFieldStates(completeCaseValues()).patientId.applies).toBe(false);
    const existing = caseFieldStates(completeCaseValues({ patientMode: 'existing' }));
    expect(existing.patientId).toEqual({ applies: true, required: true });
    expect(existing.patient.applies).toBe(false);
  });
});

describe('pruneCaseValues', () => {
  it('empties the fields that stopped applying when the surgeon changed an answer', () => {
    const changed = completeCaseValues({
      patientMode: 'existing',
      patientId: '9b2f6b7e-3c2a-4d6f-9a51-1f1f2d3c4b5a',
      diagnosticInjection: { performed: false },
      portals: ['anterolateral'],
      portalsOther: 'left over',
      capsulotomy: 'none',
      release: { location: 'lesser_trochanter', tendonBundles: 1, allBundlesReleased: true },
      impingementRepair: { performed: false },
    });
    const pruned = pruneCaseValues(changed);
    expect(pruned.patient).toEqual({ mrn: '', birthDate: null, sex: null });
    expect(pruned.patientId).toBe('9b2f6b7e-3c2a-4d6f-9a51-1f1f2d3c4b5a');
    expect(pruned.diagnosticInjection).toEqual({ performed: false, response: null });
    expect(pruned.portalsOther).toBe('');
    expect(pruned.capsularClosure).toBe(false);
    expect(pruned.release.capsularLevel).toBeNull();
    expect(pruned.release.allBundlesReleased).toBeNull();
    expect(pruned.impingementRepair.procedures).toEqual([]);
    // The input is left as it was (the form keeps what was typed until submit).
    expect(changed.release.capsularLevel).toBe('central_compartment');
  });

  it('keeps what still applies', () => {
    const values = completeCaseValues({
      portals: ['other'],
      portalsOther: 'Far lateral',
      release: { tendonBundles: 2, allBundlesReleased: false },
    });
    expect(pruneCaseValues(values)).toEqual(values);
  });
});

const complication = (overrides: Partial<ComplicationFormValues> = {}): ComplicationFormValues => ({
  type: 'heterotopic_ossification',
  onsetDate: '2026-05-01',
  brookerGrade: 2,
  recurrenceCause: null,
  sinkGrade: 2,
  clavienDindo: null,
  reoperation: null,
  resolvedDate: null,
  followUpId: null,
  description: '',
  ...overrides,
});

describe('complicationFieldStates', () => {
  it('asks for a Brooker grade only for heterotopic ossification', () => {
    expect(complicationFieldStates(complication()).brookerGrade).toEqual({ applies: true, required: true });
    expect(complicationFieldStates(complication({ type: 'deep_infection' })).brookerGrade.applies).toBe(false);
  });

  it('asks for the cause only for a recurrence of snapping', () => {
    expect(complicationFieldStates(complication()).recurrenceCause.applies).toBe(false);
    const recurrence = complication({ type: 'recurrent_snapping', brookerGrade: null });
    expect(complicationFieldStates(recurrence).recurrenceCause).toEqual({ applies: true, required: true });
  });

  it("requires a description for the type 'other' only", () => {
    expect(complicationFieldStates(complication()).description).toEqual({ applies: true, required: false });
    expect(complicationFieldStates(complication({ type: 'other' })).description.required).toBe(true);
  });

  it('prunes a Brooker grade and a cause that no longer apply', () => {
    const changed = complication({ type: 'recurrent_snapping', recurrenceCause: 'bifid_tendon' });
    expect(pruneComplicationValues(changed)).toMatchObject({ brookerGrade: null, recurrenceCause: 'bifid_tendon' });
    expect(pruneComplicationValues(complication({ type: 'deep_infection', recurrenceCause: 'unknown' }))).toMatchObject(
      {
        brookerGrade: null,
        recurrenceCause: null,
      },
    );
  });
});
