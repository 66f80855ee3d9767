import { describe, expect, it } from 'vitest';
import { MHHS_ITEM_NAMES, mhhsAnswers } from '@ilr/clinical';
import {
  complicationToFormValues,
  followUpToFormValues,
  toUpdateComplicationRequest,
  toUpdateFollowUpRequest,
} from './corrections.js';
import { toCreateComplicationRequest, type ComplicationResponse } from './complication-form-values.js';
import { toCreateFollowUpRequest, type FollowUpResponse } from './follow-up-form-values.js';
import { schemaErrors } from './testing/openapi.js';

const mhhs = Object.fromEntries(MHHS_ITEM_NAMES.map((item) => [item, mhhsAnswers(item)[0].value]));
const ihot12 = [50, 60, 70, 80, 90, 100, 40, 30, 20, 10, null, 55];

const visit: FollowUpResponse = {
  id: '00000000-0000-4000-8000-0000000000f1',
  caseId: '00000000-0000-4000-8000-0000000000c1',
  visitDate: '2025-05-01',
  day: 48,
  timepoint: '6w',
  contactMode: 'clinic',
  snapping: 'none',
  groinPain: 2.5,
  hipFlexionStrength: 5,
  returnedToSport: null,
  satisfaction: 8,
  proms: {
    mhhs: { items: mhhs, score: 80, raw: 40, answered: 8, scoringVersion: '1' },
    ihot12: { items: ihot12, score: 55, raw: null, answered: 11, scoringVersion: '1' },
  },
  version: 3,
  createdAt: '2025-05-01T10:00:00.000Z',
  updatedAt: '2025-05-01T10:00:00.000Z',
} as FollowUpResponse;

describe('correcting a follow-up', () => {
  it('puts the stored visit back in the form, answers item by item', () => {
    const values = followUpToFormValues(visit);
    expect(values.groinPain).toBe(2.5);
    expect(values.returnedToSport).toBeNull();
    expect(values.proms.mhhs).toEqual(mhhs);
    expect(values.proms.ihot12).toEqual(ihot12);
    expect(values.proms.hosAdl.every((v) => v === null)).toBe(true);
    const body = toCreateFollowUpRequest(values);
    expect(body.proms?.ihot12).toEqual(ihot12);
    expect(body.proms).not.toHaveProperty('hosAdl');
  });

  it('sends nothing when nothing changed', () => {
    expect(toUpdateFollowUpRequest(visit, toCreateFollowUpRequest(followUpToFormValues(visit)))).toEqual({});
  });

  it('sends only the changed fields; an emptied field or instrument as null', () => {
    const values = followUpToFormValues(visit);
    values.groinPain = 4;
    values.snapping = null;
    values.proms.ihot12 = values.proms.ihot12.map(() => null);
    values.proms.hosAdl[0] = 4;
    const patch = toUpdateFollowUpRequest(visit, toCreateFollowUpRequest(values));
    expect(patch).toEqual({
      groinPain: 4,
      snapping: null,
      proms: { ihot12: null, hosAdl: values.proms.hosAdl },
    });
    expect(schemaErrors('UpdateFollowUpRequest', patch)).toEqual([]);
  });
});

const complication: ComplicationResponse = {
  id: '00000000-0000-4000-8000-0000000000d1',
  caseId: '00000000-0000-4000-8000-0000000000c1',
  type: 'recurrent_snapping',
  onsetDate: '2025-06-01',
  onsetDay: 79,
  brookerGrade: null,
  recurrenceCause: 'incomplete_release',
  sinkGrade: 3,
  clavienDindo: 'IIIb',
  reoperation: { date: '2025-07-01', procedure: 'revision_release' },
  resolvedDate: null,
  followUpId: null,
  description: 'Snapping again at six weeks',
  version: 1,
  createdAt: '2025-06-01T10:00:00.000Z',
  updatedAt: '2025-06-01T10:00:00.000Z',
} as ComplicationResponse;

describe('correcting a complication', () => {
  it('puts the stored complication back in the form', () => {
    const values = complicationToFormValues(complication);
    expect(values).toMatchObject({
      type: 'recurrent_snapping',
      sinkGrade: 3,
      reoperation: { date: '2025-07-01', procedure: 'revision_release' },
      description: 'Snapping again at six weeks',
    });
    expect(toUpdateComplicationRequest(complication, toCreateComplicationRequest(values))).toEqual({});
  });

  it('sends only the changed fields; a removed reoperation or text as null', () => {
    const values = complicationToFormValues(complication);
    values.sinkGrade = 2;
    values.reoperation = null;
    values.description = '  ';
    values.resolvedDate = '2025-08-01';
    const patch = toUpdateComplicationRequest(complication, toCreateComplicationRequest(values));
    expect(patch).toEqual({ sinkGrade: 2, reoperation: null, description: null, resolvedDate: '2025-08-01' });
    expect(schemaErrors('UpdateComplicationRequest', patch)).toEqual([]);
  });
});
