import { describe, expect, it } from '@jest/globals';
import {
  type MhhsAnswers,
  PROM_SCORING_VERSION,
  PROM_THRESHOLDS,
  type PromScore,
  scoreHosAdl,
  scoreHosSport,
  scoreIhot12,
  scoreMhhs,
  scoreNahs,
  scoreProms,
} from './proms.js';

const repeat = <T>(value: T, times: number): T[] => Array.from({ length: times }, () => value);

function expectUnscored(result: PromScore, answered: number) {
  expect(result.score).toBeNull();
  expect(result.answered).toBe(answered);
  expect(typeof result.unscoredReason).toBe('string');
  expect(result.unscoredReason!.length).toBeGreaterThan(0);
  expect(result.scoringVersion).toBe(PROM_SCORING_VERSION);
}

function expectScored(result: PromScore, score: number, answered: number) {
  expect(result.score).not.toBeNull();
  expect(result.score!).toBeCloseTo(score, 10);
  expect(result.answered).toBe(answered);
  expect(result.unscoredReason).toBeUndefined();
  expect(result.scoringVersion).toBe(PROM_SCORING_VERSION);
}

const MHHS_BEST: MhhsAnswers = {
  pain: 'none',
  limp: 'none',
  support: 'none',
  distance: 'unlimited',
  stairs: 'normally_without_railing',
  shoesSocks: 'with_ease',
  sitting: 'ordinary_chair_one_hour',
  publicTransport: 'able',
};

const MHHS_WORST: MhhsAnswers = {
  pain: 'totally_disabled',
  limp: 'severe',
  support: 'two_crutches_or_unable',
  distance: 'bed_and_chair',
  stairs: 'unable',
  shoesSocks: 'unable',
  sitting: 'unable',
  publicTransport: 'unable',
};

describe(scoreMhhs.name, () => {
  it('scores the best answers 100: raw 44+11+11+11+4+4+5+1 = 91, 91 × 1.1 = 100.1 capped at 100', () => {
    const result = scoreMhhs(MHHS_BEST);
    expect(result.raw).toBe(91);
    expect(result.score).toBe(100);
    expect(result.answered).toBe(8);
    expect(result.unscoredReason).toBeUndefined();
  });

  it('scores the worst answers 0', () => {
    const result = scoreMhhs(MHHS_WORST);
    expect(result.raw).toBe(0);
    expect(result.score).toBe(0);
    expect(result.answered).toBe(8);
  });

  it('sums the points of a mixed set and multiplies by 1.1', () => {
    const result = scoreMhhs({
      pain: 'mild', // 30
      limp: 'slight', // 8
      support: 'cane_long_walks', // 7
      distance: 'six_blocks', // 8
      stairs: 'normally_with_railing', // 2
      shoesSocks: 'with_difficulty', // 2
      sitting: 'high_chair_half_hour', // 3
      publicTransport: 'able', // 1
    });
    // raw = 30+8+7+8+2+2+3+1 = 61; score = 61 × 1.1 = 67.1
    expect(result.raw).toBe(61);
    expectScored(result, 67.1, 8);
  });

  it('scores another mixed set using the other middle codes', () => {
    const result = scoreMhhs({
      pain: 'moderate', // 20
      limp: 'moderate', // 5
      support: 'one_crutch', // 3
      distance: 'two_three_blocks', // 5
      stairs: 'any_manner', // 1
      shoesSocks: 'unable', // 0
      sitting: 'unable', // 0
      publicTransport: 'unable', // 0
    });
    // raw = 20+5+3+5+1 = 34; score = 34 × 1.1 = 37.4
    expect(result.raw).toBe(34);
    expectScored(result, 37.4, 8);
  });

  it('scores the remaining codes', () => {
    const result = scoreMhhs({
      pain: 'slight', // 40
      limp: 'none', // 11
      support: 'cane_most_time', // 5
      distance: 'indoors_only', // 2
      stairs: 'unable', // 0
      shoesSocks: 'with_ease', // 4
      sitting: 'ordinary_chair_one_hour', // 5
      publicTransport: 'able', // 1
    });
    // raw = 40+11+5+2+0+4+5+1 = 68; score = 68 × 1.1 = 74.8
    expect(result.raw).toBe(68);
    expectScored(result, 74.8, 8);

    const marked = scoreMhhs({ ...MHHS_WORST, pain: 'marked', support: 'two_canes' });
    // raw = 10 + 2 = 12; score = 13.2
    expect(marked.raw).toBe(12);
    expectScored(marked, 13.2, 8);
  });

  it('does not cap a score below 100: raw 90 gives 99', () => {
    const result = scoreMhhs({ ...MHHS_BEST, publicTransport: 'unable' });
    // raw = 91 − 1 = 90; 90 × 1.1 = 99
    expect(result.raw).toBe(90);
    expectScored(result, 99, 8);
  });

  it('gives no score when one item is missing (7 of 8)', () => {
    const { sitting: _omitted, ...seven } = MHHS_BEST;
    const result = scoreMhhs(seven);
    expectUnscored(result, 7);
    expect(result.raw).toBeNull();
  });

  it('counts a null item as unanswered', () => {
    const result = scoreMhhs({ ...MHHS_BEST, publicTransport: null });
    expectUnscored(result, 7);
    expect(result.raw).toBeNull();
  });

  it('gives no score for an empty form', () => {
    expectUnscored(scoreMhhs({}), 0);
  });
});

describe(scoreIhot12.name, () => {
  it('scores all 100 as 100', () => {
    expectScored(scoreIhot12(repeat(100, 12)), 100, 12);
  });

  it('scores all 0 as 0', () => {
    expectScored(scoreIhot12(repeat(0, 12)), 0, 12);
  });

  it('scores the mean of a complete mixed set', () => {
    // sum = 100+90+80+70+60+50+40+30+20+10+0+55 = 605; 605 / 12 = 50.41666…
    expectScored(scoreIhot12([100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0, 55]), 605 / 12, 12);
  });

  it('scores the mean of the answered items only when exactly 10 are answered', () => {
    // (5 × 80 + 5 × 60) / 10 = 700 / 10 = 70 (dividing by 12 would give 58.33)
    expectScored(scoreIhot12([80, 80, 80, 80, 80, 60, 60, 60, 60, 60, null, null]), 70, 10);
  });

  it('counts an answer of 0 as answered', () => {
    // (5 × 0 + 5 × 100) / 10 = 50
    expectScored(scoreIhot12([0, 0, 0, 0, 0, 100, 100, 100, 100, 100, null, null]), 50, 10);
  });

  it('scores 11 answered items over 11', () => {
    // (10 × 50 + 72) / 11 = 572 / 11 = 52
    expectScored(scoreIhot12([...repeat(50, 10), 72, null]), 52, 11);
  });

  it('gives no score with 9 answered', () => {
    expectUnscored(scoreIhot12([...repeat(90, 9), null, null, null]), 9);
  });

  it('gives no score when nothing is answered', () => {
    expectUnscored(scoreIhot12(repeat(null, 12)), 0);
  });
});

describe(scoreHosAdl.name, () => {
  it('scores 17 items all 4 as 100', () => {
    expectScored(scoreHosAdl(repeat(4, 17)), 100, 17);
  });

  it('scores 17 items all 0 as 0', () => {
    expectScored(scoreHosAdl(repeat(0, 17)), 0, 17);
  });

  it('scores a complete mixed set as sum ÷ (4 × 17) × 100', () => {
    // sum = 8×4 + 5×3 + 3×2 + 1×1 = 32+15+6+1 = 54; 54 / 68 × 100 = 79.4117647…
    const items = [...repeat(4, 8), ...repeat(3, 5), ...repeat(2, 3), 1];
    expectScored(scoreHosAdl(items), 79.41176470588235, 17);
  });

  it('excludes na items from the denominator (15 answered + 2 na)', () => {
    // sum = 5×4 + 5×3 + 3×2 + 1 + 0 = 20+15+6+1 = 42; 42 / (4 × 15) × 100 = 70
    const items: Array<number | 'na'> = [4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 1, 0, 'na', 'na'];
    expectScored(scoreHosAdl(items), 70, 15);
  });

  it('does not count na as 0: 15 items of 4 and 2 na score 100', () => {
    expectScored(scoreHosAdl([...repeat(4, 15), 'na', 'na']), 100, 15);
  });

  it('scores exactly 14 answered items', () => {
    // sum = 7×4 + 7×2 = 42; 42 / (4 × 14) × 100 = 75
    expectScored(scoreHosAdl([...repeat(4, 7), ...repeat(2, 7), 'na', 'na', 'na']), 75, 14);
  });

  it('gives no score with 13 answered and 4 na (na counts as not answered)', () => {
    expectUnscored(scoreHosAdl([...repeat(4, 13), 'na', 'na', 'na', 'na']), 13);
  });

  it('gives no score with 13 answered, 2 na and 2 blank', () => {
    expectUnscored(scoreHosAdl([...repeat(3, 13), 'na', 'na', null, null]), 13);
  });
});

describe(scoreHosSport.name, () => {
  it('scores 9 items all 4 as 100', () => {
    expectScored(scoreHosSport(repeat(4, 9)), 100, 9);
  });

  it('scores 9 items all 0 as 0', () => {
    expectScored(scoreHosSport(repeat(0, 9)), 0, 9);
  });

  it('scores a complete mixed set as sum ÷ (4 × 9) × 100', () => {
    // sum = 4+4+4+3+3+3+2+2+1 = 26; 26 / 36 × 100 = 72.2222…
    expectScored(scoreHosSport([4, 4, 4, 3, 3, 3, 2, 2, 1]), 72.22222222222223, 9);
  });

  it('scores exactly 7 answered items, na excluded from the denominator', () => {
    // sum = 4+4+3+3+2+2+1 = 19; 19 / (4 × 7) × 100 = 67.857142…
    expectScored(scoreHosSport([4, 4, 3, 3, 2, 2, 1, 'na', 'na']), 67.85714285714286, 7);
  });

  it('scores 8 answered items of 4 and one na as 100', () => {
    expectScored(scoreHosSport([...repeat(4, 8), 'na']), 100, 8);
  });

  it('gives no score with 6 answered and 3 na', () => {
    expectUnscored(scoreHosSport([4, 4, 4, 4, 4, 4, 'na', 'na', 'na']), 6);
  });

  it('gives no score with 6 answered, 1 na and 2 blank', () => {
    expectUnscored(scoreHosSport([2, 2, 2, 2, 2, 2, 'na', null, null]), 6);
  });
});

describe(scoreNahs.name, () => {
  it('scores 20 items all 4 as 100', () => {
    expectScored(scoreNahs(repeat(4, 20)), 100, 20);
  });

  it('scores 20 items all 0 as 0', () => {
    expectScored(scoreNahs(repeat(0, 20)), 0, 20);
  });

  it('scores the mean × 25 of a complete mixed set, equal to sum × 1.25', () => {
    // sum = 10×4 + 5×3 + 3×2 + 2×1 = 40+15+6+2 = 63; mean 3.15 × 25 = 78.75 = 63 × 1.25
    const items = [...repeat(4, 10), ...repeat(3, 5), ...repeat(2, 3), 1, 1];
    expectScored(scoreNahs(items), 78.75, 20);
  });

  it('scores another complete set as sum × 1.25', () => {
    // sum = 7×4 + 7×1 + 6×0 = 35; 35 × 1.25 = 43.75 (mean 1.75 × 25)
    expectScored(scoreNahs([...repeat(4, 7), ...repeat(1, 7), ...repeat(0, 6)]), 43.75, 20);
  });

  it('scores the mean of the answered items when exactly 18 are answered', () => {
    // sum = 9×4 + 9×2 = 54; mean 54 / 18 = 3; 3 × 25 = 75 (sum × 1.25 would give 67.5)
    expectScored(scoreNahs([...repeat(4, 9), ...repeat(2, 9), null, null]), 75, 18);
  });

  it('scores 19 answered items over 19', () => {
    // sum = 18×3 + 1 = 55; 55 / 19 × 25 = 72.368421…
    expectScored(scoreNahs([...repeat(3, 18), 1, null]), 72.36842105263158, 19);
  });

  it('gives no score with 17 answered', () => {
    expectUnscored(scoreNahs([...repeat(4, 17), null, null, null]), 17);
  });
});

describe(scoreProms.name, () => {
  it('scores every instrument present', () => {
    const result = scoreProms({
      mhhs: MHHS_BEST,
      ihot12: repeat(50, 12),
      hosAdl: [...repeat(4, 15), 'na', 'na'],
      hosSport: [...repeat(2, 9)],
      nahs: repeat(3, 20),
      eq5d5l: { mobility: 1, selfCare: 1, usualActivities: 2, painDiscomfort: 2, anxietyDepression: 1, vas: 80 },
    });
    expect(Object.keys(result).sort()).toEqual(['eq5d5l', 'hosAdl', 'hosSport', 'ihot12', 'mhhs', 'nahs']);
    expectScored(result.mhhs!, 100, 8);
    expectScored(result.ihot12!, 50, 12);
    expectScored(result.hosAdl!, 100, 15);
    // 9 × 2 = 18; 18 / 36 × 100 = 50
    expectScored(result.hosSport!, 50, 9);
    // mean 3 × 25 = 75
    expectScored(result.nahs!, 75, 20);
  });

  it('returns nothing for absent instruments', () => {
    expect(scoreProms({})).toEqual({});
    const onlyIhot = scoreProms({ ihot12: repeat(100, 12) });
    expect(Object.keys(onlyIhot)).toEqual(['ihot12']);
    expect(onlyIhot.mhhs).toBeUndefined();
    expect(onlyIhot.eq5d5l).toBeUndefined();
  });

  it('stores EQ-5D-5L without an index: score null with a reason', () => {
    const result = scoreProms({
      eq5d5l: { mobility: 3, selfCare: 2, usualActivities: 4, painDiscomfort: 5, anxietyDepression: 1, vas: 35 },
    });
    expect(Object.keys(result)).toEqual(['eq5d5l']);
    expect(result.eq5d5l!.score).toBeNull();
    expect(typeof result.eq5d5l!.unscoredReason).toBe('string');
    expect(result.eq5d5l!.unscoredReason!.length).toBeGreaterThan(0);
    expect(result.eq5d5l!.scoringVersion).toBe(PROM_SCORING_VERSION);
  });

  it('passes an unscoreable instrument through as unscored', () => {
    const result = scoreProms({ nahs: [...repeat(4, 17), null, null, null], mhhs: { ...MHHS_BEST, pain: null } });
    expectUnscored(result.nahs!, 17);
    expectUnscored(result.mhhs!, 7);
  });
});

describe('PROM_SCORING_VERSION', () => {
  it('is a non-empty version string carried by every scored and unscored result', () => {
    expect(typeof PROM_SCORING_VERSION).toBe('string');
    expect(PROM_SCORING_VERSION.length).toBeGreaterThan(0);
    const results: PromScore[] = [
      scoreMhhs(MHHS_BEST),
      scoreMhhs({}),
      scoreIhot12(repeat(1, 12)),
      scoreIhot12([]),
      scoreHosAdl(repeat(1, 17)),
      scoreHosAdl([]),
      scoreHosSport(repeat(1, 9)),
      scoreHosSport([]),
      scoreNahs(repeat(1, 20)),
      scoreNahs([]),
    ];
    for (const result of results) expect(result.scoringVersion).toBe(PROM_SCORING_VERSION);
  });
});

describe('PROM_THRESHOLDS', () => {
  // DOMAIN.md § PROMs, Thresholds (AJSM 2020): MCID 1y/2y/5y and PASS 1y/2y/5y.
  const EXPECTED = [
    { instrument: 'mhhs', timepoint: '1y', mcid: 6.9, pass: 84.8 },
    { instrument: 'mhhs', timepoint: '2y', mcid: 9.2, pass: 83.3 },
    { instrument: 'mhhs', timepoint: '5y', mcid: 11.4, pass: 83.6 },
    { instrument: 'ihot12', timepoint: '1y', mcid: 15.1, pass: 69.1 },
    { instrument: 'ihot12', timepoint: '2y', mcid: 13.9, pass: 72.2 },
    { instrument: 'ihot12', timepoint: '5y', mcid: 15.1, pass: 74.3 },
    { instrument: 'hosAdl', timepoint: '1y', mcid: 8.8, pass: 89.7 },
    { instrument: 'hosAdl', timepoint: '2y', mcid: 9.7, pass: 88.2 },
    { instrument: 'hosAdl', timepoint: '5y', mcid: 10.2, pass: 99.2 },
    { instrument: 'hosSport', timepoint: '1y', mcid: 13.9, pass: 72.2 },
    { instrument: 'hosSport', timepoint: '2y', mcid: 14.3, pass: 76.4 },
    { instrument: 'hosSport', timepoint: '5y', mcid: 15.2, pass: 80.9 },
  ];

  it('holds exactly the 12 DOMAIN.md thresholds', () => {
    expect(PROM_THRESHOLDS).toHaveLength(12);
    const key = (t: { instrument: string; timepoint: string }) => `${t.instrument}@${t.timepoint}`;
    const sorted = <T extends { instrument: string; timepoint: string }>(list: readonly T[]) =>
      [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(PROM_THRESHOLDS)).toEqual(sorted(EXPECTED));
  });

  it.each(EXPECTED)(
    'gives $instrument at $timepoint MCID $mcid and PASS $pass',
    ({ instrument, timepoint, mcid, pass }) => {
      const found = PROM_THRESHOLDS.filter((t) => t.instrument === instrument && t.timepoint === timepoint);
      expect(found).toHaveLength(1);
      expect(found[0].mcid).toBe(mcid);
      expect(found[0].pass).toBe(pass);
    },
  );

  it('has no threshold for NAHS or EQ-5D-5L', () => {
    expect(PROM_THRESHOLDS.filter((t) => t.instrument === 'nahs')).toEqual([]);
    expect(PROM_THRESHOLDS.filter((t) => t.instrument === 'eq5d5l')).toEqual([]);
  });
});
