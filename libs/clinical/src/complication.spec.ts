import { describe, expect, it } from '@jest/globals';
import {
  checkComplicationRules,
  type ComplicationData,
  type ComplicationRuleContext,
  type ComplicationType,
} from './complication.js';

// A fixed "today" in the registry's time zone, so that no test depends on the clock.
const TODAY = '2026-03-15';
const SURGERY = '2025-06-10';
const CASE_ID = '0b6f2a8e-3c1d-4f5a-9e7b-2d4c6a8e0f11';
const OTHER_CASE_ID = '7e1d9c3b-5a2f-4b8e-8c6d-1f3a5b7d9e22';
const VISIT_ID = 'c4a2e6f8-1b3d-4e5f-a7c9-0d2e4f6a8b33';

function context(overrides: Partial<ComplicationRuleContext> = {}): ComplicationRuleContext {
  return { surgeryDate: SURGERY, today: TODAY, caseId: CASE_ID, followUpCaseId: null, ...overrides };
}

// A complication of a type without type-specific fields, satisfying every rule of DOMAIN.md § Complication.
function plain(overrides: Partial<ComplicationData> = {}): ComplicationData {
  return { type: 'lfcn_neuropraxia', onsetDate: '2025-06-12', sinkGrade: 1, ...overrides };
}

const ho = (overrides: Partial<ComplicationData> = {}): ComplicationData =>
  plain({ type: 'heterotopic_ossification', onsetDate: '2025-09-01', brookerGrade: 2, sinkGrade: 2, ...overrides });

const recurrence = (overrides: Partial<ComplicationData> = {}): ComplicationData =>
  plain({
    type: 'recurrent_snapping',
    onsetDate: '2025-10-01',
    recurrenceCause: 'bifid_tendon',
    sinkGrade: 2,
    ...overrides,
  });

const conversion = (overrides: Partial<ComplicationData> = {}): ComplicationData =>
  plain({
    type: 'conversion_to_arthroplasty',
    onsetDate: '2025-11-01',
    sinkGrade: 3,
    reoperation: { date: '2025-12-01', procedure: 'total_hip_arthroplasty' },
    ...overrides,
  });

const other = (overrides: Partial<ComplicationData> = {}): ComplicationData =>
  plain({ type: 'other', description: 'Portal-site skin irritation', ...overrides });

// The violations as (field, code) pairs, after checking that each carries a message.
function violations(c: ComplicationData, ctx: ComplicationRuleContext = context()) {
  const out = checkComplicationRules(c, ctx);
  for (const v of out) {
    expect(typeof v.message).toBe('string');
    expect(v.message.length).toBeGreaterThan(0);
  }
  return out.map(({ field, code }) => ({ field, code }));
}

const PLAIN_TYPES: ComplicationType[] = [
  'persistent_groin_pain',
  'hip_flexor_weakness',
  'lfcn_neuropraxia',
  'pudendal_neuropraxia',
  'femoral_nerve_palsy',
  'sciatic_nerve_palsy',
  'deep_vein_thrombosis',
  'pulmonary_embolism',
  'superficial_infection',
  'deep_infection',
  'instability_dislocation',
  'femoral_neck_fracture',
];

describe(checkComplicationRules.name, () => {
  describe('valid complications', () => {
    it('accepts heterotopic ossification with a Brooker grade', () => {
      expect(violations(ho())).toEqual([]);
    });

    it.each([1, 2, 3, 4])('accepts Brooker grade %i for heterotopic ossification', (grade) => {
      expect(violations(ho({ brookerGrade: grade }))).toEqual([]);
    });

    it('accepts recurrent snapping with a recurrence cause', () => {
      expect(violations(recurrence())).toEqual([]);
    });

    it('accepts recurrent snapping treated by a revision release at Sink grade 3', () => {
      const c = recurrence({
        recurrenceCause: 'incomplete_release',
        sinkGrade: 3,
        reoperation: { date: '2025-11-15', procedure: 'revision_release' },
      });
      expect(violations(c)).toEqual([]);
    });

    it('accepts conversion to arthroplasty with a total hip arthroplasty reoperation and Sink grade 3', () => {
      expect(violations(conversion())).toEqual([]);
    });

    it('accepts other with a description', () => {
      expect(violations(other())).toEqual([]);
    });

    it.each(PLAIN_TYPES)('accepts %s with only the common fields', (type) => {
      expect(violations(plain({ type }))).toEqual([]);
    });

    it('accepts a complete complication with every optional field', () => {
      const c = plain({
        type: 'deep_infection',
        onsetDate: '2025-07-01',
        sinkGrade: 3,
        clavienDindo: 'IIIb',
        reoperation: { date: '2025-07-03', procedure: 'washout' },
        resolvedDate: '2025-09-01',
        followUpId: VISIT_ID,
        description: 'Staphylococcus aureus',
      });
      expect(violations(c, context({ followUpCaseId: CASE_ID }))).toEqual([]);
    });

    it('accepts explicit nulls for the optional fields', () => {
      const c = plain({
        brookerGrade: null,
        recurrenceCause: null,
        clavienDindo: null,
        reoperation: null,
        resolvedDate: null,
        followUpId: null,
        description: null,
      });
      expect(violations(c)).toEqual([]);
    });
  });

  describe('onsetDate', () => {
    it('rejects an onset before the surgery date', () => {
      expect(violations(plain({ onsetDate: '2025-06-09' }))).toEqual([{ field: 'onsetDate', code: 'before_surgery' }]);
    });

    it('accepts an onset on the surgery day', () => {
      expect(violations(plain({ onsetDate: SURGERY }))).toEqual([]);
    });

    it('rejects an onset in the future', () => {
      expect(violations(plain({ onsetDate: '2026-03-16' }))).toEqual([{ field: 'onsetDate', code: 'in_future' }]);
    });

    it('accepts an onset today', () => {
      expect(violations(plain({ onsetDate: TODAY }))).toEqual([]);
    });

    it('compares calendar dates across a year end', () => {
      expect(violations(plain({ onsetDate: '2025-12-31' }), context({ surgeryDate: '2026-01-01' }))).toEqual([
        { field: 'onsetDate', code: 'before_surgery' },
      ]);
    });
  });

  describe('brookerGrade', () => {
    it('is required for heterotopic ossification (absent)', () => {
      const { brookerGrade: _omitted, ...withoutGrade } = ho();
      expect(violations(withoutGrade)).toEqual([{ field: 'brookerGrade', code: 'required' }]);
    });

    it('is required for heterotopic ossification (null)', () => {
      expect(violations(ho({ brookerGrade: null }))).toEqual([{ field: 'brookerGrade', code: 'required' }]);
    });

    it('is not allowed for another type', () => {
      expect(violations(plain({ type: 'persistent_groin_pain', brookerGrade: 1 }))).toEqual([
        { field: 'brookerGrade', code: 'not_allowed' },
      ]);
    });
  });

  describe('recurrenceCause', () => {
    it('is required for recurrent snapping (absent)', () => {
      const { recurrenceCause: _omitted, ...withoutCause } = recurrence();
      expect(violations(withoutCause)).toEqual([{ field: 'recurrenceCause', code: 'required' }]);
    });

    it('is required for recurrent snapping (null)', () => {
      expect(violations(recurrence({ recurrenceCause: null }))).toEqual([
        { field: 'recurrenceCause', code: 'required' },
      ]);
    });

    it.each(['incomplete_release', 'untreated_bony_abnormality', 'bifid_tendon', 'unknown'] as const)(
      'accepts cause %s for recurrent snapping',
      (cause) => {
        expect(violations(recurrence({ recurrenceCause: cause }))).toEqual([]);
      },
    );

    it('is not allowed for another type', () => {
      expect(violations(ho({ recurrenceCause: 'unknown' }))).toEqual([
        { field: 'recurrenceCause', code: 'not_allowed' },
      ]);
    });
  });

  describe('description', () => {
    it('is required for other (absent)', () => {
      const { description: _omitted, ...withoutDescription } = other();
      expect(violations(withoutDescription)).toEqual([{ field: 'description', code: 'required' }]);
    });

    it('is required for other (null)', () => {
      expect(violations(other({ description: null }))).toEqual([{ field: 'description', code: 'required' }]);
    });

    it('is required for other (empty)', () => {
      expect(violations(other({ description: '' }))).toEqual([{ field: 'description', code: 'required' }]);
    });

    it('counts whitespace only as missing', () => {
      expect(violations(other({ description: '  \t\n ' }))).toEqual([{ field: 'description', code: 'required' }]);
    });

    it('is optional for the other types', () => {
      expect(violations(plain({ description: 'Numbness over the anterolateral thigh' }))).toEqual([]);
    });
  });

  describe('reoperation', () => {
    const reoperated = (date: string, overrides: Partial<ComplicationData> = {}) =>
      plain({
        type: 'deep_infection',
        onsetDate: '2025-07-01',
        sinkGrade: 3,
        reoperation: { date, procedure: 'washout' },
        ...overrides,
      });

    it('rejects a reoperation date before onset', () => {
      expect(violations(reoperated('2025-06-30'))).toEqual([{ field: 'reoperation.date', code: 'before_onset' }]);
    });

    it('accepts a reoperation on the onset day', () => {
      expect(violations(reoperated('2025-07-01'))).toEqual([]);
    });

    it('rejects a reoperation date in the future', () => {
      expect(violations(reoperated('2026-03-16'))).toEqual([{ field: 'reoperation.date', code: 'in_future' }]);
    });

    it('accepts a reoperation today', () => {
      expect(violations(reoperated(TODAY))).toEqual([]);
    });

    it('needs Sink grade 3 or more: grade 2 is rejected on sinkGrade', () => {
      expect(violations(reoperated('2025-07-03', { sinkGrade: 2 }))).toEqual([
        { field: 'sinkGrade', code: 'reoperation_needs_grade_3' },
      ]);
    });

    it('rejects Sink grade 1 with a reoperation', () => {
      expect(violations(reoperated('2025-07-03', { sinkGrade: 1 }))).toEqual([
        { field: 'sinkGrade', code: 'reoperation_needs_grade_3' },
      ]);
    });

    it.each([3, 4, 5])('accepts Sink grade %i with a reoperation', (grade) => {
      expect(violations(reoperated('2025-07-03', { sinkGrade: grade }))).toEqual([]);
    });

    it('accepts Sink grades 1 and 2 without a reoperation', () => {
      expect(violations(plain({ sinkGrade: 1 }))).toEqual([]);
      expect(violations(plain({ sinkGrade: 2 }))).toEqual([]);
    });
  });

  describe('conversion to arthroplasty', () => {
    it('needs a reoperation (absent)', () => {
      const { reoperation: _omitted, ...withoutReoperation } = conversion();
      expect(violations(withoutReoperation)).toEqual([
        { field: 'reoperation.procedure', code: 'conversion_needs_arthroplasty' },
      ]);
    });

    it('needs a reoperation (null)', () => {
      expect(violations(conversion({ reoperation: null }))).toEqual([
        { field: 'reoperation.procedure', code: 'conversion_needs_arthroplasty' },
      ]);
    });

    it.each(['revision_release', 'revision_arthroscopy', 'ho_excision', 'washout', 'other'] as const)(
      'rejects reoperation procedure %s',
      (procedure) => {
        expect(violations(conversion({ reoperation: { date: '2025-12-01', procedure } }))).toEqual([
          { field: 'reoperation.procedure', code: 'conversion_needs_arthroplasty' },
        ]);
      },
    );
  });

  describe('resolvedDate', () => {
    it('rejects a resolution before onset', () => {
      expect(violations(plain({ onsetDate: '2025-07-01', resolvedDate: '2025-06-30' }))).toEqual([
        { field: 'resolvedDate', code: 'before_onset' },
      ]);
    });

    it('accepts a resolution on the onset day', () => {
      expect(violations(plain({ onsetDate: '2025-07-01', resolvedDate: '2025-07-01' }))).toEqual([]);
    });

    it('rejects a resolution in the future', () => {
      expect(violations(plain({ resolvedDate: '2026-03-16' }))).toEqual([{ field: 'resolvedDate', code: 'in_future' }]);
    });

    it('accepts a resolution today', () => {
      expect(violations(plain({ resolvedDate: TODAY }))).toEqual([]);
    });
  });

  describe('followUpId', () => {
    it('rejects a visit of another case', () => {
      expect(violations(plain({ followUpId: VISIT_ID }), context({ followUpCaseId: OTHER_CASE_ID }))).toEqual([
        { field: 'followUpId', code: 'other_case' },
      ]);
    });

    it('rejects an id that names no visit (followUpCaseId null)', () => {
      expect(violations(plain({ followUpId: VISIT_ID }), context({ followUpCaseId: null }))).toEqual([
        { field: 'followUpId', code: 'other_case' },
      ]);
    });

    it('rejects an id when the visit case is unknown (followUpCaseId absent)', () => {
      const { followUpCaseId: _omitted, ...ctx } = context();
      expect(violations(plain({ followUpId: VISIT_ID }), ctx)).toEqual([{ field: 'followUpId', code: 'other_case' }]);
    });

    it('accepts a visit of the same case', () => {
      expect(violations(plain({ followUpId: VISIT_ID }), context({ followUpCaseId: CASE_ID }))).toEqual([]);
    });

    it('ignores the visit case when there is no followUpId', () => {
      expect(violations(plain(), context({ followUpCaseId: OTHER_CASE_ID }))).toEqual([]);
    });
  });

  it('reports every violated rule at once', () => {
    const c: ComplicationData = {
      type: 'conversion_to_arthroplasty',
      onsetDate: '2025-06-01', // before surgery
      brookerGrade: 3, // not heterotopic ossification
      recurrenceCause: 'unknown', // not recurrent snapping
      sinkGrade: 2, // below 3 with a reoperation
      reoperation: { date: '2025-05-31', procedure: 'revision_arthroscopy' }, // before onset, not THA
      resolvedDate: '2025-05-30', // before onset
      followUpId: VISIT_ID, // visit of another case
    };
    const found = violations(c, context({ followUpCaseId: OTHER_CASE_ID }));
    expect(found).toHaveLength(8);
    expect(found).toEqual(
      expect.arrayContaining([
        { field: 'onsetDate', code: 'before_surgery' },
        { field: 'brookerGrade', code: 'not_allowed' },
        { field: 'recurrenceCause', code: 'not_allowed' },
        { field: 'reoperation.date', code: 'before_onset' },
        { field: 'sinkGrade', code: 'reoperation_needs_grade_3' },
        { field: 'reoperation.procedure', code: 'conversion_needs_arthroplasty' },
        { field: 'resolvedDate', code: 'before_onset' },
        { field: 'followUpId', code: 'other_case' },
      ]),
    );
  });
});
