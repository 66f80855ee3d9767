import { describe, expect, it } from '@jest/globals';
import {
  EQ5D5L_DIMENSIONS,
  EQ5D5L_VAS,
  HOS_ADL_ITEMS,
  HOS_ANSWERS,
  HOS_SPORT_ITEMS,
  IHOT12_ITEMS,
  INSTRUMENT_NAMES,
  INSTRUMENT_SHORT_NAMES,
  MHHS_WORDING,
  mhhsAnswers,
  NAHS_ANSWERS,
  NAHS_ITEMS,
} from './prom-wording.js';
import { INSTRUMENTS, ITEM_RULES, MHHS_ITEM_NAMES, MHHS_ITEMS, scoreHosAdl, scoreNahs } from './proms.js';

const nonEmpty = (text: string) => expect(text.trim().length).toBeGreaterThan(0);

describe('PROM wording', () => {
  it('names every instrument', () => {
    for (const instrument of INSTRUMENTS) {
      nonEmpty(INSTRUMENT_NAMES[instrument]);
      nonEmpty(INSTRUMENT_SHORT_NAMES[instrument]);
    }
  });

  it('words every mHHS item and every answer code, in the scoring order', () => {
    expect(Object.keys(MHHS_WORDING)).toEqual(MHHS_ITEM_NAMES);
    expect(MHHS_ITEM_NAMES).toHaveLength(ITEM_RULES.mhhs.items);
    for (const item of MHHS_ITEM_NAMES) {
      nonEmpty(MHHS_WORDING[item].text);
      expect(Object.keys(MHHS_WORDING[item].answers).sort()).toEqual(Object.keys(MHHS_ITEMS[item]).sort());
      const answers = mhhsAnswers(item);
      expect(answers.map((a) => a.value)).toEqual(Object.keys(MHHS_ITEMS[item]));
      for (const answer of answers) nonEmpty(answer.label);
      expect(new Set(answers.map((a) => a.label)).size).toBe(answers.length);
    }
    expect(mhhsAnswers('pain')[0]).toEqual({ value: 'none', label: 'None / ignores it' });
  });

  it('has as many items as the scoring rules count', () => {
    expect(IHOT12_ITEMS).toHaveLength(ITEM_RULES.ihot12.items);
    expect(HOS_ADL_ITEMS).toHaveLength(ITEM_RULES.hosAdl.items);
    expect(HOS_SPORT_ITEMS).toHaveLength(ITEM_RULES.hosSport.items);
    expect(NAHS_ITEMS).toHaveLength(ITEM_RULES.nahs.items);
    for (const text of [...HOS_ADL_ITEMS, ...HOS_SPORT_ITEMS, ...NAHS_ITEMS.map((i) => i.text)]) nonEmpty(text);
    for (const item of IHOT12_ITEMS) [item.text, item.at0, item.at100].forEach(nonEmpty);
    // No item repeats within an instrument (a copy slip would).
    expect(new Set(HOS_ADL_ITEMS).size).toBe(HOS_ADL_ITEMS.length);
    expect(new Set(HOS_SPORT_ITEMS).size).toBe(HOS_SPORT_ITEMS.length);
    expect(new Set(IHOT12_ITEMS.map((i) => i.text)).size).toBe(IHOT12_ITEMS.length);
    expect(new Set(NAHS_ITEMS.map((i) => `${i.stem} ${i.text}`)).size).toBe(NAHS_ITEMS.length);
  });

  it('maps the HOS answers to 4 … 0 and not applicable, as scored', () => {
    expect(HOS_ANSWERS.map((a) => a.value)).toEqual([4, 3, 2, 1, 0, 'na']);
    expect(HOS_ANSWERS.map((a) => a.label)).toEqual([
      'No difficulty at all',
      'Slight difficulty',
      'Moderate difficulty',
      'Extreme difficulty',
      'Unable to do',
      'Not applicable',
    ]);
    // "No difficulty" everywhere is the best score; "Not applicable" is left out of it.
    const best = HOS_ADL_ITEMS.map(() => HOS_ANSWERS[0].value);
    expect(scoreHosAdl(best).score).toBe(100);
    expect(scoreHosAdl([...best.slice(0, 15), 'na', 'na']).answered).toBe(15);
  });

  it('maps the NAHS answers None … Extreme to 4 … 0', () => {
    expect(NAHS_ANSWERS.map((a) => [a.label, a.value])).toEqual([
      ['None', 4],
      ['Mild', 3],
      ['Moderate', 2],
      ['Severe', 1],
      ['Extreme', 0],
    ]);
    expect(scoreNahs(NAHS_ITEMS.map(() => NAHS_ANSWERS[0].value)).score).toBe(100);
    expect(scoreNahs(NAHS_ITEMS.map(() => NAHS_ANSWERS[4].value)).score).toBe(0);
  });

  it('words the five EQ-5D-5L dimensions, five levels each, and the VAS', () => {
    expect(EQ5D5L_DIMENSIONS.map((d) => d.key)).toEqual([
      'mobility',
      'selfCare',
      'usualActivities',
      'painDiscomfort',
      'anxietyDepression',
    ]);
    for (const dimension of EQ5D5L_DIMENSIONS) {
      expect(dimension.levels).toHaveLength(5);
      expect(new Set(dimension.levels).size).toBe(5);
      dimension.levels.forEach(nonEmpty);
    }
    [EQ5D5L_VAS.text, EQ5D5L_VAS.at0, EQ5D5L_VAS.at100].forEach(nonEmpty);
  });
});
