import { describe, expect, expectTypeOf, it } from 'vitest';
import type { components } from '../api/schema.js';
import type { ComplicationFormValues } from './case-form-fields.js';
import { BROOKER_GRADE, RECURRENCE_CAUSE, REOPERATION_PROCEDURE, SINK_GRADE } from '@ilr/clinical';
import {
  checkComplicationValues,
  type ComplicationResponse,
  describeComplication,
  emptyComplicationFormValues,
  toCreateComplicationRequest,
  visitOptions,
} from './complication-form-values.js';
import { schemaErrors } from './testing/openapi.js';

const context = { surgeryDate: '2026-01-10', today: '2026-06-01', caseId: 'c1' };
const ho = (overrides: Partial<ComplicationFormValues> = {}): ComplicationFormValues => ({
  ...emptyComplicationFormValues(),
  type: 'heterotopic_ossification',
  onsetDate: '2026-03-01',
  brookerGrade: 3,
  sinkGrade: 2,
  ...overrides,
});

describe('complication form', () => {
  it('has the CreateComplicationRequest type generated from openapi.json', () => {
    expectTypeOf(toCreateComplicationRequest).returns.toEqualTypeOf<
      components['schemas']['CreateComplicationRequest']
    >();
  });

  it('sends heterotopic ossification with its Brooker grade, as openapi.json describes', () => {
    const body = toCreateComplicationRequest(ho());
    expect(body).toEqual({ type: 'heterotopic_ossification', onsetDate: '2026-03-01', sinkGrade: 2, brookerGrade: 3 });
    expect(schemaErrors('CreateComplicationRequest', body)).toEqual([]);
    expect(checkComplicationValues(ho(), context)).toEqual({});
  });

  it('sends a recurrence with its cause and reoperation, dropping a Brooker grade left from another type', () => {
    const values = ho({
      type: 'recurrent_snapping',
      recurrenceCause: 'incomplete_release',
      sinkGrade: 3,
      reoperation: { date: '2026-05-02', procedure: 'revision_release' },
      followUpId: '9b2f6b7e-3c2a-4d6f-9a51-1f1f2d3c4b5a',
    });
    expect(checkComplicationValues(values, context)).toEqual({});
    const body = toCreateComplicationRequest(values);
    expect(body).toEqual({
      type: 'recurrent_snapping',
      onsetDate: '2026-03-01',
      sinkGrade: 3,
      recurrenceCause: 'incomplete_release',
      reoperation: { date: '2026-05-02', procedure: 'revision_release' },
      followUpId: '9b2f6b7e-3c2a-4d6f-9a51-1f1f2d3c4b5a',
    });
    expect(schemaErrors('CreateComplicationRequest', body)).toEqual([]);
  });

  it("finds what libs/clinical's rules find, at the server's field paths, in words", () => {
    const errors = checkComplicationValues(
      ho({
        brookerGrade: null,
        onsetDate: '2026-01-01',
        sinkGrade: 2,
        reoperation: { date: '2025-12-31', procedure: null },
      }),
      context,
    );
    expect(errors).toEqual({
      'reoperation.procedure': 'Reoperation procedure is required.',
      onsetDate: 'Date of onset must be on or after the surgery date.',
      brookerGrade: 'Brooker grade is required for heterotopic ossification.',
      'reoperation.date': 'Date of reoperation must be on or after Date of onset.',
      sinkGrade: 'Sink grade must be at least 3 when there was a reoperation.',
    });
  });

  it('lists the required fields of an empty form', () => {
    expect(Object.keys(checkComplicationValues(emptyComplicationFormValues(), context))).toEqual([
      'type',
      'onsetDate',
      'sinkGrade',
    ]);
    expect(() => toCreateComplicationRequest(emptyComplicationFormValues())).toThrow(/complete form/);
  });

  it('offers the case visits by timepoint and date in words, in visit order', () => {
    const visits = [
      { id: 'v2', visitDate: '2026-04-11', timepoint: '3m' as const },
      { id: 'v1', visitDate: '2026-02-21', timepoint: '6w' as const },
    ];
    expect(visitOptions(visits)).toEqual([
      { value: 'v1', label: '6 weeks visit, 21 February 2026' },
      { value: 'v2', label: '3 months visit, 11 April 2026' },
    ]);
  });

  it('describes a saved complication in words, with only what it records', () => {
    const saved: ComplicationResponse = {
      id: 'k1',
      caseId: 'c1',
      type: 'recurrent_snapping',
      onsetDate: '2026-03-01',
      onsetDay: 50,
      brookerGrade: null,
      recurrenceCause: 'bifid_tendon',
      sinkGrade: 3,
      clavienDindo: null,
      reoperation: { date: '2026-05-02', procedure: 'revision_release' },
      resolvedDate: null,
      followUpId: 'v1',
      description: null,
      version: 1,
      createdAt: '2026-03-02T10:00:00.000Z',
      updatedAt: '2026-03-02T10:00:00.000Z',
    };
    const lines = describeComplication(saved, [{ id: 'v1', visitDate: '2026-02-21', timepoint: '6w' }]);
    expect(Object.fromEntries(lines.map((l) => [l.label, l.value]))).toEqual({
      Complication: 'Recurrent snapping',
      'Date of onset': '1 March 2026 (day 50 after surgery)',
      'Cause of the recurrence': RECURRENCE_CAUSE.labels.bifid_tendon,
      'Sink grade': SINK_GRADE.labels['3'],
      Reoperation: `${REOPERATION_PROCEDURE.labels.revision_release} on 2 May 2026`,
      'Date resolved': 'Not resolved yet',
      'Found at visit': '6 weeks visit, 21 February 2026',
    });
    const ho = describeComplication({
      ...saved,
      type: 'heterotopic_ossification',
      recurrenceCause: null,
      brookerGrade: 2,
      reoperation: null,
      followUpId: null,
    });
    expect(ho.find((l) => l.label === 'Brooker grade')?.value).toBe(BROOKER_GRADE.labels['2']);
    expect(ho.find((l) => l.label === 'Reoperation')?.value).toBe('None');
    expect(ho.map((l) => l.label)).not.toContain('Cause of the recurrence');
  });
});
