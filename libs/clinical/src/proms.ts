// Patient-reported outcome measures (DOMAIN.md § PROMs). Scores are 0–100, higher is better,
// kept unrounded. Items are stored with the score and the version of these rules.
export const PROM_SCORING_VERSION = 'ilr-proms-2026.1';

export const MHHS_ITEMS = {
  pain: { none: 44, slight: 40, mild: 30, moderate: 20, marked: 10, totally_disabled: 0 },
  limp: { none: 11, slight: 8, moderate: 5, severe: 0 },
  support: { none: 11, cane_long_walks: 7, cane_most_time: 5, one_crutch: 3, two_canes: 2, two_crutches_or_unable: 0 },
  distance: { unlimited: 11, six_blocks: 8, two_three_blocks: 5, indoors_only: 2, bed_and_chair: 0 },
  stairs: { normally_without_railing: 4, normally_with_railing: 2, any_manner: 1, unable: 0 },
  shoesSocks: { with_ease: 4, with_difficulty: 2, unable: 0 },
  sitting: { ordinary_chair_one_hour: 5, high_chair_half_hour: 3, unable: 0 },
  publicTransport: { able: 1, unable: 0 },
} as const;

export type MhhsItem = keyof typeof MHHS_ITEMS;
export type MhhsAnswers = { [K in MhhsItem]?: keyof (typeof MHHS_ITEMS)[K] | null };
export const MHHS_ITEM_NAMES = Object.keys(MHHS_ITEMS) as MhhsItem[];
// Byrd's multiplier brings the 91-point maximum to 100 (91 × 1.1 = 100.1 is capped).
export const MHHS_MULTIPLIER = 1.1;

export const INSTRUMENTS = ['mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs', 'eq5d5l'] as const;
export type Instrument = (typeof INSTRUMENTS)[number];
// The instruments with a 0–100 score (EQ-5D-5L is stored as given): what facts, reports and exports carry.
export const SCORED_INSTRUMENTS = ['mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs'] as const;

// Item counts and the minimum answered for a score (a registry rule where the literature gives none).
export const ITEM_RULES = {
  mhhs: { items: 8, minAnswered: 8 },
  ihot12: { items: 12, minAnswered: 10 },
  hosAdl: { items: 17, minAnswered: 14 },
  hosSport: { items: 9, minAnswered: 7 },
  nahs: { items: 20, minAnswered: 18 },
} as const;

export interface PromScore {
  score: number | null;
  raw: number | null;
  answered: number;
  // Why there is no score (too few items answered); absent when scored.
  unscoredReason?: string;
  scoringVersion: string;
}

function unscored(answered: number, min: number, of: number): PromScore {
  return {
    score: null,
    raw: null,
    answered,
    unscoredReason: `${answered} of ${of} items answered; at least ${min} are needed for a score`,
    scoringVersion: PROM_SCORING_VERSION,
  };
}

// mHHS: codes → points; raw = sum (0–91); score = min(100, raw × 1.1). All 8 items required.
export function scoreMhhs(answers: MhhsAnswers): PromScore {
  let raw = 0;
  let answered = 0;
  for (const item of MHHS_ITEM_NAMES) {
    const code = answers[item];
    if (code === undefined || code === null) continue;
    raw += (MHHS_ITEMS[item] as Record<string, number>)[code];
    answered += 1;
  }
  if (answered < ITEM_RULES.mhhs.minAnswered)
    return unscored(answered, ITEM_RULES.mhhs.minAnswered, ITEM_RULES.mhhs.items);
  return { score: Math.min(100, raw * MHHS_MULTIPLIER), raw, answered, scoringVersion: PROM_SCORING_VERSION };
}

const isNumber = (value: unknown): value is number => typeof value === 'number';

// iHOT-12: 12 items 0–100 (100 = no problem); score = mean of answered; at least 10 answered.
export function scoreIhot12(items: Array<number | null>): PromScore {
  const answered = items.filter(isNumber);
  if (answered.length < ITEM_RULES.ihot12.minAnswered)
    return unscored(answered.length, ITEM_RULES.ihot12.minAnswered, ITEM_RULES.ihot12.items);
  const sum = answered.reduce((a, b) => a + b, 0);
  return { score: sum / answered.length, raw: sum, answered: answered.length, scoringVersion: PROM_SCORING_VERSION };
}

// HOS (Martin 2006): items 4 (no difficulty) … 0 (unable) or 'na';
// score = sum ÷ (4 × items answered, not na) × 100.
function scoreHos(items: Array<number | 'na' | null>, rule: { items: number; minAnswered: number }): PromScore {
  const answered = items.filter(isNumber);
  if (answered.length < rule.minAnswered) return unscored(answered.length, rule.minAnswered, rule.items);
  const sum = answered.reduce((a, b) => a + b, 0);
  return {
    score: (sum / (4 * answered.length)) * 100,
    raw: sum,
    answered: answered.length,
    scoringVersion: PROM_SCORING_VERSION,
  };
}

export const scoreHosAdl = (items: Array<number | 'na' | null>) => scoreHos(items, ITEM_RULES.hosAdl);
export const scoreHosSport = (items: Array<number | 'na' | null>) => scoreHos(items, ITEM_RULES.hosSport);

// NAHS: 20 items 4 (none) … 0 (extreme); score = mean of answered × 25; at least 18 answered.
export function scoreNahs(items: Array<number | null>): PromScore {
  const answered = items.filter(isNumber);
  if (answered.length < ITEM_RULES.nahs.minAnswered)
    return unscored(answered.length, ITEM_RULES.nahs.minAnswered, ITEM_RULES.nahs.items);
  const sum = answered.reduce((a, b) => a + b, 0);
  return {
    score: (sum / answered.length) * 25,
    raw: sum,
    answered: answered.length,
    scoringVersion: PROM_SCORING_VERSION,
  };
}

export interface Eq5d5l {
  mobility: number;
  selfCare: number;
  usualActivities: number;
  painDiscomfort: number;
  anxietyDepression: number;
  vas: number;
}

export interface PromAnswers {
  mhhs?: MhhsAnswers;
  ihot12?: Array<number | null>;
  hosAdl?: Array<number | 'na' | null>;
  hosSport?: Array<number | 'na' | null>;
  nahs?: Array<number | null>;
  eq5d5l?: Eq5d5l;
}

// Scores every instrument present. EQ-5D-5L is stored as given: its index needs a national value set.
export function scoreProms(answers: PromAnswers): Partial<Record<Instrument, PromScore>> {
  const out: Partial<Record<Instrument, PromScore>> = {};
  if (answers.mhhs) out.mhhs = scoreMhhs(answers.mhhs);
  if (answers.ihot12) out.ihot12 = scoreIhot12(answers.ihot12);
  if (answers.hosAdl) out.hosAdl = scoreHosAdl(answers.hosAdl);
  if (answers.hosSport) out.hosSport = scoreHosSport(answers.hosSport);
  if (answers.nahs) out.nahs = scoreNahs(answers.nahs);
  if (answers.eq5d5l)
    out.eq5d5l = {
      score: null,
      raw: null,
      answered: 6,
      unscoredReason: 'EQ-5D-5L is stored as given; no index is computed (it needs a national value set)',
      scoringVersion: PROM_SCORING_VERSION,
    };
  return out;
}

// MCID and PASS (AJSM 2020, doi 10.1177/0363546520902736); visits before 1 year use the 1-year value.
export const PROM_THRESHOLD_SOURCE = 'Am J Sports Med 2020, doi:10.1177/0363546520902736';
export const PROM_THRESHOLDS: ReadonlyArray<{
  instrument: Instrument;
  timepoint: '1y' | '2y' | '5y';
  mcid: number;
  pass: number;
}> = [
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
