import { describe, expect, it } from 'vitest';
import { ITEM_RULES, scoreProms } from '@ilr/clinical';
import {
  answeredItems,
  checkFollowUpValues,
  dayWords,
  emptyFollowUpFormValues,
  followUpFieldLabel,
  followUpServerErrors,
  type FollowUpFormValues,
  liveTimepoint,
  promResultRows,
  toCreateFollowUpRequest,
} from './follow-up-form-values.js';
import { schemaErrors } from './testing/openapi.js';

const context = { surgeryDate: '2026-01-10', today: '2026-06-01' };
const visit = (change: (v: FollowUpFormValues) => void = () => {}): FollowUpFormValues => {
  const values = emptyFollowUpFormValues();
  values.visitDate = '2026-02-21';
  values.contactMode = 'clinic';
  change(values);
  return values;
};

describe('follow-up form values', () => {
  it('starts empty with one slot per item', () => {
    const p = emptyFollowUpFormValues().proms;
    expect(p.ihot12).toHaveLength(ITEM_RULES.ihot12.items);
    expect(p.hosAdl).toHaveLength(ITEM_RULES.hosAdl.items);
    expect(p.hosSport).toHaveLength(ITEM_RULES.hosSport.items);
    expect(p.nahs).toHaveLength(ITEM_RULES.nahs.items);
    expect(Object.keys(p.mhhs)).toHaveLength(ITEM_RULES.mhhs.items);
    expect(Object.values(answeredItems(p))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('derives the timepoint in words once the date is whole', () => {
    expect(liveTimepoint('2026-01-10', '2026-01-10')).toEqual({ day: 0, timepoint: 'preop', label: 'Preoperative' });
    expect(liveTimepoint('2026-01-10', '2026-02-21')?.label).toBe('6 weeks');
    expect(liveTimepoint('2026-01-10', '2027-01-10')?.label).toBe('1 year');
    expect(liveTimepoint('2026-01-10', '2026-01-20')?.label).toBe('Unscheduled');
    expect(liveTimepoint('2026-01-10', '2026-02')).toBeNull();
    expect(liveTimepoint(undefined, '2026-02-21')).toBeNull();
    expect([-7, -1, 0, 1, 365].map(dayWords)).toEqual([
      '7 days before surgery',
      '1 day before surgery',
      'the day of surgery',
      '1 day after surgery',
      '365 days after surgery',
    ]);
  });

  it('needs the visit date and contact, and refuses a visit in the future like the server', () => {
    expect(checkFollowUpValues(emptyFollowUpFormValues(), context)).toEqual({
      visitDate: 'Visit date is required.',
      contactMode: 'Contact is required.',
    });
    expect(
      checkFollowUpValues(
        visit((v) => (v.visitDate = '2026-06-02')),
        context,
      ),
    ).toEqual({
      visitDate: 'Visit date must not be in the future.',
    });
    expect(checkFollowUpValues(visit(), context)).toEqual({});
  });

  it('checks the ranges at their fields', () => {
    const errors = checkFollowUpValues(
      visit((v) => {
        v.groinPain = 3.25;
        v.hipFlexionStrength = 6;
        v.satisfaction = 7.5;
        v.proms.ihot12[4] = 101;
      }),
      context,
    );
    expect(Object.keys(errors).sort()).toEqual(['groinPain', 'hipFlexionStrength', 'proms.ihot12.4', 'satisfaction']);
    expect(errors['proms.ihot12.4']).toBe('iHOT-12 item 5 must be between 0 and 100.');
  });

  it('records EQ-5D-5L whole or not at all', () => {
    const errors = checkFollowUpValues(
      visit((v) => (v.proms.eq5d5l.mobility = 2)),
      context,
    );
    expect(Object.keys(errors)).toHaveLength(5);
    expect(errors['proms.eq5d5l.vas']).toContain('EQ-5D-5L: Health today (VAS) is needed');
  });

  it('sends only the instruments answered, as the schema describes them', () => {
    const values = visit((v) => {
      v.groinPain = 2.5;
      v.proms.mhhs.pain = 'slight';
      v.proms.hosAdl[0] = 4;
      v.proms.hosAdl[1] = 'na';
      v.proms.ihot12[0] = 55;
    });
    const body = toCreateFollowUpRequest(values);
    expect(Object.keys(body.proms!).sort()).toEqual(['hosAdl', 'ihot12', 'mhhs']);
    expect(body.proms!.hosAdl).toHaveLength(17);
    expect(body.groinPain).toBe(2.5);
    expect(body).not.toHaveProperty('satisfaction');
    expect(schemaErrors('CreateFollowUpRequest', body)).toEqual([]);
    expect(toCreateFollowUpRequest(visit())).not.toHaveProperty('proms');
    const eq = visit(
      (v) =>
        (v.proms.eq5d5l = {
          mobility: 1,
          selfCare: 2,
          usualActivities: 3,
          painDiscomfort: 4,
          anxietyDepression: 5,
          vas: 70,
        }),
    );
    expect(schemaErrors('CreateFollowUpRequest', toCreateFollowUpRequest(eq))).toEqual([]);
  });

  it('puts server errors at their item, in words', () => {
    const { fields, other } = followUpServerErrors([
      { field: 'proms.ihot12[3]', code: 'max', message: 'proms.ihot12[3] must not be greater than 100' },
      { field: 'visitDate', code: 'in_future', message: 'visitDate must not be in the future' },
      { field: 'nonsense', code: 'x', message: 'something else' },
    ]);
    expect(fields).toEqual({
      'proms.ihot12.3': 'iHOT-12 item 4 must not be greater than 100.',
      visitDate: 'Visit date must not be in the future.',
    });
    expect(other).toEqual(['Something else.']);
    expect(followUpFieldLabel('proms.mhhs.shoesSocks')).toBe('mHHS: Put on shoes and socks');
  });

  it('lists the scores as computed, with the reason where there is none', () => {
    const scores = scoreProms({ ihot12: [50, 60, ...Array(10).fill(null)], nahs: Array(20).fill(3) });
    const rows = promResultRows({
      ihot12: { ...scores.ihot12!, items: [] },
      nahs: { ...scores.nahs!, items: [] },
    });
    expect(rows.map((r) => r.instrument)).toEqual(['ihot12', 'nahs']);
    expect(rows[0]).toMatchObject({ score: null, answered: 2, items: 12 });
    expect(rows[0].note).toBe(`Not scored: too few items (${scores.ihot12!.unscoredReason})`);
    expect(rows[1]).toMatchObject({ score: scores.nahs!.score!.toFixed(1), answered: 20, note: null });
  });
});
