import { COMPLICATION_TYPE, RELEASE_LOCATION, wilson } from '@ilr/clinical';
import { describe, expect, it } from 'vitest';
import {
  changeCell,
  consentNote,
  groupLabel,
  isGroupBy,
  type OutcomesGroup,
  type OutcomesReport,
  outcomesTable,
  percent,
  rateCell,
} from './outcomes-table.js';

const emptyProm = () => ({ baseline: { mean: null, n: 0 }, timepoints: {} });

// A group as OutcomesService builds it: rates from libs/clinical's wilson, as the server computes them.
function group(key: string, cases: number, events: Partial<Record<string, number>> = {}): OutcomesGroup {
  return {
    key,
    cases,
    withoutConsent: 0,
    followUpCompleteness: {},
    complications: COMPLICATION_TYPE.codes.map((type) => ({
      type,
      count: events[type] ?? 0,
      ...wilson(events[type] ?? 0, cases),
    })),
    heterotopicOssification: { byBrookerGrade: { 1: 0, 2: 0, 3: 0, 4: 0 }, byProphylaxis: {} },
    recurrence: { ...wilson(events.recurrent_snapping ?? 0, cases), byCause: {} },
    reoperation: wilson(events.reoperation ?? 0, cases),
    conversionToArthroplasty: wilson(0, cases),
    proms: { mhhs: emptyProm(), ihot12: emptyProm(), hosAdl: emptyProm(), hosSport: emptyProm(), nahs: emptyProm() },
  } as OutcomesGroup;
}

function report(groups: OutcomesGroup[], consent: Partial<OutcomesReport['consent']> = {}): OutcomesReport {
  const cases = groups.reduce((sum, g) => sum + g.cases, 0);
  return {
    report: 'outcomes',
    filters: {},
    generatedAt: '2026-06-01T00:00:00.000Z',
    definitions: {},
    consent: {
      consentedOnly: false,
      cases,
      byConsent: { given: cases, declined: 0, withdrawn: 0 },
      withoutConsent: 0,
      rule: '',
      ...consent,
    },
    groups,
  };
}

describe('outcomes table', () => {
  it('shows a rate as a percentage with its Wilson interval (1 of 4: R prop.test gives 0.0456–0.6994)', () => {
    expect(rateCell(wilson(1, 4))).toBe('1 of 4: 25.0% (95% CI 4.6–69.9%)');
    expect(rateCell(wilson(0, 0))).toBe('No cases');
    expect(percent(1 / 3)).toBe('33.3%');
  });

  it('signs a PROM change and counts its pairs', () => {
    expect(changeCell(12.345, 4)).toBe('+12.3 points (4 paired cases)');
    expect(changeCell(-3, 1)).toBe('−3.0 points (1 paired case)');
    expect(changeCell(null, 0)).toBe('Not enough paired scores');
  });

  it('names groups in words, never by their code', () => {
    expect(groupLabel('releaseLocation', 'lesser_trochanter')).toBe(RELEASE_LOCATION.labels.lesser_trochanter);
    expect(groupLabel('impingementRepair', 'true')).toBe('Impingement repair performed');
    expect(groupLabel('impingementRepair', 'false')).toBe('No impingement repair');
    expect(groupLabel('capsularLevel', 'not_capsular')).toBe('Not a capsular release');
    expect(groupLabel('year', '2025')).toBe('2025');
    expect(groupLabel(null, 'all')).toBe('All my cases');
    expect(groupLabel('hoProphylaxis', null)).toBe('Not recorded');
    expect(isGroupBy('year')).toBe(true);
    expect(isGroupBy('surgeon')).toBe(false);
    expect(isGroupBy('bogus')).toBe(false);
  });

  it('puts each group in a column and each outcome in a row, with the types that occurred', () => {
    const capsular = group('capsular', 4, { heterotopic_ossification: 1, recurrent_snapping: 1, reoperation: 1 });
    capsular.heterotopicOssification.byBrookerGrade = { 1: 0, 2: 0, 3: 1, 4: 0 };
    const lesser = group('lesser_trochanter', 3, { deep_vein_thrombosis: 1 });
    lesser.followUpCompleteness = { '1y': { due: 2, seen: 1, rate: 0.5, invited: 0, answered: 0 } };
    lesser.proms.mhhs!.timepoints['1y'] = {
      mean: 80,
      n: 2,
      meanChange: 14.25,
      pairedN: 2,
      mcid: wilson(2, 2),
      pass: wilson(1, 2),
    };
    const table = outcomesTable(report([capsular, lesser]), 'releaseLocation');

    expect(table.columns).toEqual([
      { key: 'capsular', label: RELEASE_LOCATION.labels.capsular, cases: 4 },
      { key: 'lesser_trochanter', label: RELEASE_LOCATION.labels.lesser_trochanter, cases: 3 },
    ]);
    const cells = (id: string) => table.rows.find((r) => r.id === id)?.cells;
    expect(cells('cases')).toEqual(['4', '3']);
    expect(cells('recurrence')).toEqual([rateCell(wilson(1, 4)), '0 of 3: 0.0% (95% CI 0.0–56.1%)']);
    expect(cells('reoperation')?.[0]).toBe('1 of 4: 25.0% (95% CI 4.6–69.9%)');
    expect(cells('complication-heterotopic_ossification')?.[0]).toBe(rateCell(wilson(1, 4)));
    expect(cells('complication-deep_vein_thrombosis')?.[1]).toBe(rateCell(wilson(1, 3)));
    expect(cells('brooker')).toEqual(['I: 0, II: 0, III: 1, IV: 0', 'I: 0, II: 0, III: 0, IV: 0']);
    // Types no group had stay out of the table; recurrence has its own row.
    expect(cells('complication-pulmonary_embolism')).toBeUndefined();
    expect(cells('complication-recurrent_snapping')).toBeUndefined();
    expect(cells('seen-1y')).toEqual(['None due', '1 of 2: 50.0%']);
    expect(cells('mhhs-1y-change')).toEqual(['Not enough paired scores', '+14.3 points (2 paired cases)']);
    expect(table.rows.find((r) => r.id === 'mhhs-1y-change')?.label).toBe('mHHS: change from before surgery to 1 year');
    expect(cells('mhhs-1y-mcid')?.[1]).toBe(rateCell(wilson(2, 2)));
    expect(cells('ihot12-1y-change')).toBeUndefined();
    expect(cells('without-consent')).toBeUndefined();
    // No code reaches the table.
    const shown = [...table.columns.map((c) => c.label), ...table.rows.flatMap((r) => [r.label, ...r.cells])];
    for (const text of shown) expect(text).not.toMatch(/[a-z]+_[a-z]+/);
  });

  it('says which cases the figures count, consent-wise', () => {
    const withOne = report([{ ...group('all', 5), withoutConsent: 2 }], {
      byConsent: { given: 3, declined: 1, withdrawn: 1 },
      withoutConsent: 2,
    });
    const table = outcomesTable(withOne, null);
    expect(table.columns[0].label).toBe('All my cases');
    expect(table.rows.find((r) => r.id === 'without-consent')?.cells).toEqual(['2']);
    expect(table.consentNote).toBe(
      "All 5 of your cases that match are counted, whatever the patient's consent. 2 of them come from patients without consent (declined: 1, withdrawn: 1); exports leave those out.",
    );
    expect(consentNote({ ...withOne.consent, consentedOnly: true, cases: 3, withoutConsent: 0 })).toBe(
      'Only cases whose patients gave consent are counted (3): the cases an export contains.',
    );
  });
});
