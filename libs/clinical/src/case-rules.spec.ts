import { describe, expect, it } from '@jest/globals';
import {
  bodyMassIndex,
  type CaseData,
  type CaseRuleContext,
  checkCaseRules,
  type RuleViolation,
} from './case-rules.js';

// A fixed "today" in the registry's time zone, so that no test depends on the clock.
const TODAY = '2026-03-15';

// A complete case that satisfies every cross-field rule of DOMAIN.md § Case.
function validCase(overrides: Partial<CaseData> = {}): CaseData {
  return {
    surgeryDate: '2025-06-10',
    side: 'right',
    indications: ['internal_snapping_hip', 'iliopsoas_impingement'],
    priorIpsilateralSurgery: [],
    diagnosticInjection: { performed: true, response: 'complete_relief' },
    symptomDurationMonths: 18,
    conservativeTreatment: ['physiotherapy', 'nsaids'],
    examination: { snappingReproduced: true },
    activityLevel: 'recreational',
    heightCm: 172,
    weightKg: 68,
    imaging: {
      alphaAngle: 52,
      lateralCenterEdgeAngle: 31,
      tonnisGrade: 0,
      dynamicUltrasoundSnapping: true,
      bifidTendonOnMri: false,
    },
    anesthesia: 'general',
    positioning: 'supine',
    tractionMinutes: 45,
    operativeMinutes: 90,
    portals: ['anterolateral', 'mid_anterior'],
    portalsOther: null,
    capsulotomy: 'interportal',
    capsularClosure: true,
    findings: {
      labralTear: true,
      anteriorLabralLesionAtPsoas: true,
      cam: true,
      pincer: false,
      acetabularCartilageIcrs: 1,
      femoralCartilageIcrs: 0,
    },
    release: {
      location: 'capsular',
      capsularLevel: 'peripheral_compartment',
      technique: 'fractional_lengthening',
      tendonBundles: 1,
      allBundlesReleased: null,
    },
    impingementRepair: { performed: true, procedures: ['labral_repair', 'femoral_osteochondroplasty'] },
    hoProphylaxis: 'nsaid',
    intraoperativeEvents: [],
    notes: 'Uneventful.',
    ...overrides,
  };
}

function context(overrides: Partial<CaseRuleContext> = {}): CaseRuleContext {
  // Born 1985-04-20: 40 years old on the default surgery date.
  return { today: TODAY, birthDate: '1985-04-20', ...overrides };
}

const release = (changes: Partial<CaseData['release']>): CaseData['release'] => ({
  ...validCase().release,
  ...changes,
});

// Field path and code only: the messages are for people.
const fieldsAndCodes = (violations: RuleViolation[]) => violations.map(({ field, code }) => ({ field, code }));

function violationsOf(data: CaseData, ctx: CaseRuleContext = context()) {
  return fieldsAndCodes(checkCaseRules(data, ctx));
}

describe(checkCaseRules.name, () => {
  it('accepts a valid complete case', () => {
    expect(checkCaseRules(validCase(), context())).toEqual([]);
  });

  it('accepts a valid case when the birth date is unknown', () => {
    expect(checkCaseRules(validCase(), { today: TODAY })).toEqual([]);
  });

  it('gives every violation a human-readable message', () => {
    const violations = checkCaseRules(validCase({ operativeMinutes: 30 }), context());
    expect(violations).toHaveLength(1);
    expect(typeof violations[0].message).toBe('string');
    expect(violations[0].message.length).toBeGreaterThan(0);
  });

  describe('surgery date', () => {
    it('rejects a surgery date after today', () => {
      expect(violationsOf(validCase({ surgeryDate: '2026-03-16' }))).toEqual([
        { field: 'surgeryDate', code: 'in_future' },
      ]);
    });

    it('rejects a surgery date a year after today', () => {
      expect(violationsOf(validCase({ surgeryDate: '2027-01-01' }))).toEqual([
        { field: 'surgeryDate', code: 'in_future' },
      ]);
    });

    it('allows a surgery date of exactly today', () => {
      expect(violationsOf(validCase({ surgeryDate: TODAY }))).toEqual([]);
    });

    it('rejects a surgery date before 2000-01-01', () => {
      expect(violationsOf(validCase({ surgeryDate: '1999-12-31' }))).toEqual([
        { field: 'surgeryDate', code: 'too_early' },
      ]);
    });

    it('allows a surgery date of exactly 2000-01-01', () => {
      expect(violationsOf(validCase({ surgeryDate: '2000-01-01' }))).toEqual([]);
    });
  });

  describe('age at surgery', () => {
    const surgeryDate = '2020-06-15';

    it('allows a patient whose 10th birthday is the surgery date', () => {
      expect(violationsOf(validCase({ surgeryDate }), context({ birthDate: '2010-06-15' }))).toEqual([]);
    });

    it('rejects a patient operated on the day before the 10th birthday', () => {
      expect(violationsOf(validCase({ surgeryDate }), context({ birthDate: '2010-06-16' }))).toEqual([
        { field: 'surgeryDate', code: 'age_out_of_range' },
      ]);
    });

    it('allows a patient whose 100th birthday is the surgery date', () => {
      expect(violationsOf(validCase({ surgeryDate }), context({ birthDate: '1920-06-15' }))).toEqual([]);
    });

    it('allows a patient operated on the day before the 101st birthday (still 100)', () => {
      expect(violationsOf(validCase({ surgeryDate }), context({ birthDate: '1919-06-16' }))).toEqual([]);
    });

    it('rejects a patient whose 101st birthday is the surgery date', () => {
      expect(violationsOf(validCase({ surgeryDate }), context({ birthDate: '1919-06-15' }))).toEqual([
        { field: 'surgeryDate', code: 'age_out_of_range' },
      ]);
    });

    it('reports the age violation on birthDateField when given', () => {
      expect(
        violationsOf(
          validCase({ surgeryDate }),
          context({ birthDate: '2015-01-01', birthDateField: 'patient.birthDate' }),
        ),
      ).toEqual([{ field: 'patient.birthDate', code: 'age_out_of_range' }]);
    });

    it('reports a too-old patient on birthDateField when given', () => {
      expect(
        violationsOf(
          validCase({ surgeryDate }),
          context({ birthDate: '1919-06-15', birthDateField: 'patient.birthDate' }),
        ),
      ).toEqual([{ field: 'patient.birthDate', code: 'age_out_of_range' }]);
    });

    it('skips the age rule when the birth date is unknown', () => {
      // Without a birth date no age can be computed, whatever the surgery date.
      expect(violationsOf(validCase({ surgeryDate }), { today: TODAY, birthDateField: 'patient.birthDate' })).toEqual(
        [],
      );
    });
  });

  describe('diagnostic injection', () => {
    it('requires a response when an injection was performed', () => {
      expect(violationsOf(validCase({ diagnosticInjection: { performed: true } }))).toEqual([
        { field: 'diagnosticInjection.response', code: 'required' },
      ]);
    });

    it('treats a null response as missing when an injection was performed', () => {
      expect(violationsOf(validCase({ diagnosticInjection: { performed: true, response: null } }))).toEqual([
        { field: 'diagnosticInjection.response', code: 'required' },
      ]);
    });

    it('does not allow a response when no injection was performed', () => {
      expect(violationsOf(validCase({ diagnosticInjection: { performed: false, response: 'no_relief' } }))).toEqual([
        { field: 'diagnosticInjection.response', code: 'not_allowed' },
      ]);
    });

    it('accepts no response when no injection was performed', () => {
      expect(violationsOf(validCase({ diagnosticInjection: { performed: false } }))).toEqual([]);
      expect(violationsOf(validCase({ diagnosticInjection: { performed: false, response: null } }))).toEqual([]);
    });

    it('accepts each response when an injection was performed', () => {
      for (const response of ['complete_relief', 'partial_relief', 'no_relief'] as const) {
        expect(violationsOf(validCase({ diagnosticInjection: { performed: true, response } }))).toEqual([]);
      }
    });
  });

  describe('operative and traction minutes', () => {
    it('rejects an operative time shorter than the traction time', () => {
      expect(violationsOf(validCase({ tractionMinutes: 45, operativeMinutes: 44 }))).toEqual([
        { field: 'operativeMinutes', code: 'less_than_traction' },
      ]);
    });

    it('allows an operative time equal to the traction time', () => {
      expect(violationsOf(validCase({ tractionMinutes: 45, operativeMinutes: 45 }))).toEqual([]);
    });

    it('allows any operative time without traction', () => {
      expect(violationsOf(validCase({ tractionMinutes: 0, operativeMinutes: 5 }))).toEqual([]);
    });
  });

  describe('other portal', () => {
    it("requires portalsOther when the portals include 'other'", () => {
      expect(violationsOf(validCase({ portals: ['anterolateral', 'other'], portalsOther: null }))).toEqual([
        { field: 'portalsOther', code: 'required' },
      ]);
    });

    it("requires portalsOther when it is left out entirely with 'other'", () => {
      const data = validCase({ portals: ['other'] });
      delete data.portalsOther;
      expect(violationsOf(data)).toEqual([{ field: 'portalsOther', code: 'required' }]);
    });

    it("counts an empty portalsOther as missing with 'other'", () => {
      expect(violationsOf(validCase({ portals: ['other'], portalsOther: '' }))).toEqual([
        { field: 'portalsOther', code: 'required' },
      ]);
    });

    it("counts a whitespace-only portalsOther as missing with 'other'", () => {
      expect(violationsOf(validCase({ portals: ['anterolateral', 'other'], portalsOther: ' \t\n ' }))).toEqual([
        { field: 'portalsOther', code: 'required' },
      ]);
    });

    it("accepts portalsOther text with the portal 'other'", () => {
      expect(
        violationsOf(validCase({ portals: ['anterolateral', 'other'], portalsOther: 'posterior accessory' })),
      ).toEqual([]);
    });

    it("does not allow portalsOther without the portal 'other'", () => {
      expect(
        violationsOf(validCase({ portals: ['anterolateral', 'mid_anterior'], portalsOther: 'posterior accessory' })),
      ).toEqual([{ field: 'portalsOther', code: 'not_allowed' }]);
    });

    it("accepts no portalsOther without the portal 'other'", () => {
      const data = validCase({ portals: ['anterolateral'] });
      delete data.portalsOther;
      expect(violationsOf(data)).toEqual([]);
    });
  });

  describe('capsular closure', () => {
    it("rejects a capsular closure when capsulotomy is 'none'", () => {
      expect(violationsOf(validCase({ capsulotomy: 'none', capsularClosure: true }))).toEqual([
        { field: 'capsularClosure', code: 'no_capsulotomy' },
      ]);
    });

    it("accepts no capsular closure when capsulotomy is 'none'", () => {
      expect(violationsOf(validCase({ capsulotomy: 'none', capsularClosure: false }))).toEqual([]);
    });

    it('accepts a capsular closure after any capsulotomy', () => {
      for (const capsulotomy of ['interportal', 't_capsulotomy', 'periportal'] as const) {
        expect(violationsOf(validCase({ capsulotomy, capsularClosure: true }))).toEqual([]);
      }
    });
  });

  describe('release level', () => {
    it('requires a capsular level for a capsular release', () => {
      expect(violationsOf(validCase({ release: release({ location: 'capsular', capsularLevel: null }) }))).toEqual([
        { field: 'release.capsularLevel', code: 'required' },
      ]);
    });

    it('requires a capsular level for a capsular release when the key is left out', () => {
      const data = validCase({ release: release({ location: 'capsular' }) });
      delete data.release.capsularLevel;
      expect(violationsOf(data)).toEqual([{ field: 'release.capsularLevel', code: 'required' }]);
    });

    it('accepts each capsular level for a capsular release', () => {
      for (const capsularLevel of ['central_compartment', 'peripheral_compartment'] as const) {
        expect(violationsOf(validCase({ release: release({ location: 'capsular', capsularLevel }) }))).toEqual([]);
      }
    });

    it('does not allow a capsular level for a release at the lesser trochanter', () => {
      expect(
        violationsOf(
          validCase({ release: release({ location: 'lesser_trochanter', capsularLevel: 'central_compartment' }) }),
        ),
      ).toEqual([{ field: 'release.capsularLevel', code: 'not_allowed' }]);
    });

    it('accepts a release at the lesser trochanter without a capsular level', () => {
      expect(
        violationsOf(validCase({ release: release({ location: 'lesser_trochanter', capsularLevel: null }) })),
      ).toEqual([]);
    });
  });

  describe('tendon bundles', () => {
    it('requires allBundlesReleased for a bifid tendon', () => {
      expect(violationsOf(validCase({ release: release({ tendonBundles: 2, allBundlesReleased: null }) }))).toEqual([
        { field: 'release.allBundlesReleased', code: 'required' },
      ]);
    });

    it('requires allBundlesReleased for a trifid tendon when the key is left out', () => {
      const data = validCase({ release: release({ tendonBundles: 3 }) });
      delete data.release.allBundlesReleased;
      expect(violationsOf(data)).toEqual([{ field: 'release.allBundlesReleased', code: 'required' }]);
    });

    it('accepts allBundlesReleased false for a bifid tendon (an answer, not a missing value)', () => {
      expect(violationsOf(validCase({ release: release({ tendonBundles: 2, allBundlesReleased: false }) }))).toEqual(
        [],
      );
    });

    it('accepts allBundlesReleased true for a trifid tendon', () => {
      expect(violationsOf(validCase({ release: release({ tendonBundles: 3, allBundlesReleased: true }) }))).toEqual([]);
    });

    it('does not require allBundlesReleased for a single bundle', () => {
      expect(violationsOf(validCase({ release: release({ tendonBundles: 1, allBundlesReleased: null }) }))).toEqual([]);
    });
  });

  describe('impingement repair', () => {
    it('requires at least one procedure when a repair was performed', () => {
      expect(violationsOf(validCase({ impingementRepair: { performed: true, procedures: [] } }))).toEqual([
        { field: 'impingementRepair.procedures', code: 'required' },
      ]);
    });

    it('does not allow procedures when no repair was performed', () => {
      expect(
        violationsOf(validCase({ impingementRepair: { performed: false, procedures: ['chondroplasty'] } })),
      ).toEqual([{ field: 'impingementRepair.procedures', code: 'not_allowed' }]);
    });

    it('accepts no procedures when no repair was performed', () => {
      expect(violationsOf(validCase({ impingementRepair: { performed: false, procedures: [] } }))).toEqual([]);
    });

    it('accepts a single procedure when a repair was performed', () => {
      expect(violationsOf(validCase({ impingementRepair: { performed: true, procedures: ['synovectomy'] } }))).toEqual(
        [],
      );
    });

    it('rejects two labral procedures together', () => {
      expect(
        violationsOf(
          validCase({
            impingementRepair: {
              performed: true,
              procedures: ['labral_repair', 'femoral_osteochondroplasty', 'labral_debridement'],
            },
          }),
        ),
      ).toEqual([{ field: 'impingementRepair.procedures', code: 'conflicting_labral_procedures' }]);
    });

    it('rejects labral debridement with labral reconstruction', () => {
      expect(
        violationsOf(
          validCase({
            impingementRepair: { performed: true, procedures: ['labral_debridement', 'labral_reconstruction'] },
          }),
        ),
      ).toEqual([{ field: 'impingementRepair.procedures', code: 'conflicting_labral_procedures' }]);
    });

    it('reports all three labral procedures together once', () => {
      expect(
        violationsOf(
          validCase({
            impingementRepair: {
              performed: true,
              procedures: ['labral_repair', 'labral_debridement', 'labral_reconstruction'],
            },
          }),
        ),
      ).toEqual([{ field: 'impingementRepair.procedures', code: 'conflicting_labral_procedures' }]);
    });

    it('accepts each labral procedure alone with non-labral procedures', () => {
      for (const labral of ['labral_repair', 'labral_debridement', 'labral_reconstruction'] as const) {
        expect(
          violationsOf(
            validCase({
              impingementRepair: {
                performed: true,
                procedures: [labral, 'acetabular_rim_trimming', 'femoral_osteochondroplasty'],
              },
            }),
          ),
        ).toEqual([]);
      }
    });
  });

  it('reports several violations at once', () => {
    const data = validCase({
      surgeryDate: '2026-04-01',
      diagnosticInjection: { performed: true, response: null },
      tractionMinutes: 60,
      operativeMinutes: 50,
      portals: ['anterolateral'],
      portalsOther: 'posterior accessory',
      capsulotomy: 'none',
      capsularClosure: true,
      release: release({
        location: 'lesser_trochanter',
        capsularLevel: 'central_compartment',
        tendonBundles: 2,
        allBundlesReleased: null,
      }),
      impingementRepair: { performed: false, procedures: ['labral_repair', 'labral_reconstruction'] },
    });
    const violations = violationsOf(data, context({ birthDate: '2018-01-01', birthDateField: 'patient.birthDate' }));
    const expected = [
      { field: 'surgeryDate', code: 'in_future' },
      { field: 'patient.birthDate', code: 'age_out_of_range' },
      { field: 'diagnosticInjection.response', code: 'required' },
      { field: 'operativeMinutes', code: 'less_than_traction' },
      { field: 'portalsOther', code: 'not_allowed' },
      { field: 'capsularClosure', code: 'no_capsulotomy' },
      { field: 'release.capsularLevel', code: 'not_allowed' },
      { field: 'release.allBundlesReleased', code: 'required' },
      { field: 'impingementRepair.procedures', code: 'not_allowed' },
      { field: 'impingementRepair.procedures', code: 'conflicting_labral_procedures' },
    ];
    expect(violations).toHaveLength(expected.length);
    expect(violations).toEqual(expect.arrayContaining(expected));
  });

  it('reports a too-early surgery date together with another violation', () => {
    const violations = violationsOf(
      validCase({ surgeryDate: '1998-05-05', capsulotomy: 'none', capsularClosure: true }),
      context({ birthDate: '1970-01-01' }),
    );
    expect(violations).toHaveLength(2);
    expect(violations).toEqual(
      expect.arrayContaining([
        { field: 'surgeryDate', code: 'too_early' },
        { field: 'capsularClosure', code: 'no_capsulotomy' },
      ]),
    );
  });
});

describe(bodyMassIndex.name, () => {
  it('divides the weight by the square of the height in metres', () => {
    // 81 / 1.80² = 81 / 3.24 = 25
    expect(bodyMassIndex(180, 81)).toBeCloseTo(25, 10);
  });

  it('is not rounded', () => {
    // 70 / 1.75² = 70 / 3.0625 = 160 / 7 = 22.857142857...
    expect(bodyMassIndex(175, 70)).toBeCloseTo(160 / 7, 10);
    // 50 / 1.60² = 50 / 2.56 = 19.53125
    expect(bodyMassIndex(160, 50)).toBeCloseTo(19.53125, 10);
  });

  it('is null when the height is missing', () => {
    expect(bodyMassIndex(null, 81)).toBeNull();
    expect(bodyMassIndex(undefined, 81)).toBeNull();
  });

  it('is null when the weight is missing', () => {
    expect(bodyMassIndex(180, null)).toBeNull();
    expect(bodyMassIndex(180, undefined)).toBeNull();
  });

  it('is null when both are missing', () => {
    expect(bodyMassIndex()).toBeNull();
    expect(bodyMassIndex(null, null)).toBeNull();
  });
});
