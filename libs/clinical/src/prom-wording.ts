// The words of each PROM instrument (DOMAIN.md § PROMs): item texts and answer wording, item by item in the
// scoring order of proms.ts. Data only, for the surgeon's follow-up form and the patient questionnaires alike.
// Wordings are as published where they could be checked; a `// paraphrase` comment marks those that could not.
import { type Eq5d5l, type Instrument, MHHS_ITEMS, type MhhsItem } from './proms.js';

export interface AnswerWording<V> {
  value: V;
  label: string;
}

export const INSTRUMENT_NAMES: Record<Instrument, string> = {
  mhhs: 'Modified Harris Hip Score (mHHS)',
  ihot12: 'International Hip Outcome Tool (iHOT-12)',
  hosAdl: 'Hip Outcome Score — Activities of daily living (HOS-ADL)',
  hosSport: 'Hip Outcome Score — Sports (HOS-Sport)',
  nahs: 'Non-Arthritic Hip Score (NAHS)',
  eq5d5l: 'EQ-5D-5L',
};

export const INSTRUMENT_SHORT_NAMES: Record<Instrument, string> = {
  mhhs: 'mHHS',
  ihot12: 'iHOT-12',
  hosAdl: 'HOS-ADL',
  hosSport: 'HOS-Sport',
  nahs: 'NAHS',
  eq5d5l: 'EQ-5D-5L',
};

// mHHS (Harris 1969, as modified by Byrd 2000): every answer code of MHHS_ITEMS in words.
type MhhsWording = {
  [K in MhhsItem]: { text: string; answers: Record<keyof (typeof MHHS_ITEMS)[K], string> };
};

export const MHHS_WORDING: MhhsWording = {
  pain: {
    text: 'Pain',
    answers: {
      none: 'None / ignores it',
      slight: 'Slight, occasional, no compromise in activities',
      mild: 'Mild pain, no effect on average activities, rarely moderate pain with unusual activity, may take aspirin',
      moderate:
        'Moderate pain, tolerable but makes concessions to pain; some limitation of ordinary activity or work; may require occasional pain medicine stronger than aspirin',
      marked: 'Marked pain, serious limitation of activities',
      totally_disabled: 'Totally disabled, crippled, pain in bed, bedridden',
    },
  },
  limp: {
    text: 'Limp',
    answers: { none: 'None', slight: 'Slight', moderate: 'Moderate', severe: 'Severe' },
  },
  support: {
    text: 'Support',
    answers: {
      none: 'None',
      cane_long_walks: 'Cane for long walks',
      cane_most_time: 'Cane most of the time',
      one_crutch: 'One crutch',
      two_canes: 'Two canes',
      two_crutches_or_unable: 'Two crutches or not able to walk',
    },
  },
  distance: {
    text: 'Distance walked',
    answers: {
      unlimited: 'Unlimited',
      six_blocks: 'Six blocks',
      two_three_blocks: 'Two or three blocks',
      indoors_only: 'Indoors only',
      bed_and_chair: 'Bed and chair',
    },
  },
  stairs: {
    text: 'Stairs',
    answers: {
      normally_without_railing: 'Normally without using a railing',
      normally_with_railing: 'Normally using a railing',
      any_manner: 'In any manner',
      unable: 'Unable to do stairs',
    },
  },
  shoesSocks: {
    text: 'Put on shoes and socks',
    answers: { with_ease: 'With ease', with_difficulty: 'With difficulty', unable: 'Unable' },
  },
  sitting: {
    text: 'Sitting',
    answers: {
      ordinary_chair_one_hour: 'Comfortably in an ordinary chair for one hour',
      high_chair_half_hour: 'On a high chair for one-half hour',
      unable: 'Unable to sit comfortably in any chair',
    },
  },
  publicTransport: {
    text: 'Enter public transportation',
    answers: { able: 'Able to use public transportation', unable: 'Not able to use public transportation' },
  },
};

// The answers of an mHHS item in the order of MHHS_ITEMS (best first).
export function mhhsAnswers<K extends MhhsItem>(item: K): AnswerWording<keyof (typeof MHHS_ITEMS)[K] & string>[] {
  const answers = MHHS_WORDING[item].answers as Record<string, string>;
  return (Object.keys(MHHS_ITEMS[item]) as Array<keyof (typeof MHHS_ITEMS)[K] & string>).map((code) => ({
    value: code,
    label: answers[code],
  }));
}

// iHOT-12 (Griffin 2012): each item a 0–100 visual-analogue line between two anchors; stored with 100 = no problem.
// paraphrase: the item texts and anchors below are accurate short forms, not checked against the published form.
export interface VasItemWording {
  text: string;
  // The words at 0 (the worst) and at 100 (no problem).
  at0: string;
  at100: string;
}

export const IHOT12_INSTRUCTIONS =
  'Thinking about your hip over the last month, mark each line between its two ends: 100 means no problem, 0 the worst.';

export const IHOT12_ITEMS: readonly VasItemWording[] = [
  { text: 'Overall, how much pain do you have in your hip or groin?', at0: 'Extreme pain', at100: 'No pain' },
  {
    text: 'How difficult is it for you to get up and down off the floor or ground?',
    at0: 'Extremely difficult',
    at100: 'Not difficult at all',
  },
  {
    text: 'How difficult is it for you to walk long distances?',
    at0: 'Extremely difficult',
    at100: 'Not difficult at all',
  },
  {
    text: 'How much trouble do you have with grinding, catching or clicking in your hip?',
    at0: 'Extreme trouble',
    at100: 'No trouble at all',
  },
  {
    text: 'How much trouble do you have pushing, pulling, lifting or carrying heavy objects at work?',
    at0: 'Extreme trouble',
    at100: 'No trouble at all',
  },
  {
    text: 'How concerned are you about cutting or changing directions during your sport or recreational activities?',
    at0: 'Extremely concerned',
    at100: 'Not concerned at all',
  },
  { text: 'How much pain do you experience in your hip after activity?', at0: 'Extreme pain', at100: 'No pain' },
  {
    text: 'How concerned are you about picking up or carrying children because of your hip?',
    at0: 'Extremely concerned',
    at100: 'Not concerned at all',
  },
  {
    text: 'How much trouble do you have with sexual activity because of your hip?',
    at0: 'Extreme trouble',
    at100: 'No trouble at all',
  },
  {
    text: 'How much of the time are you aware of the disability in your hip?',
    at0: 'Constantly aware',
    at100: 'Not aware at all',
  },
  {
    text: 'How concerned are you about your ability to maintain your desired fitness level?',
    at0: 'Extremely concerned',
    at100: 'Not concerned at all',
  },
  {
    text: 'How much of a distraction is your hip problem?',
    at0: 'Extreme distraction',
    at100: 'No distraction at all',
  },
];

// HOS (Martin 2006): the answers of both subscales; "Not applicable" when something other than the hip limits the activity.
export const HOS_ANSWERS: readonly AnswerWording<4 | 3 | 2 | 1 | 0 | 'na'>[] = [
  { value: 4, label: 'No difficulty at all' },
  { value: 3, label: 'Slight difficulty' },
  { value: 2, label: 'Moderate difficulty' },
  { value: 1, label: 'Extreme difficulty' },
  { value: 0, label: 'Unable to do' },
  { value: 'na', label: 'Not applicable' },
];

export const HOS_INSTRUCTIONS =
  'Because of your hip, how much difficulty do you have with each activity (within the past week)? If something other than your hip limits the activity, answer "Not applicable".';

// The 17 scored ADL items (the form's "putting on socks and shoes" and "sitting for 15 minutes" are not scored).
export const HOS_ADL_ITEMS: readonly string[] = [
  'Standing for 15 minutes',
  'Getting into and out of an average car',
  'Walking up steep hills',
  'Walking down steep hills',
  'Going up 1 flight of stairs',
  'Going down 1 flight of stairs',
  'Stepping up and down curbs',
  'Deep squatting',
  'Getting into and out of a bath tub',
  'Walking initially',
  'Walking for approximately 10 minutes',
  'Walking 15 minutes or greater',
  'Twisting/pivoting on involved leg',
  'Rolling over in bed',
  'Light to moderate work (standing, walking)',
  'Heavy work (push/pulling, climbing, carrying)',
  'Recreational activities',
];

export const HOS_SPORT_ITEMS: readonly string[] = [
  'Running one mile',
  'Jumping',
  'Swinging objects like a golf club',
  'Landing',
  'Starting and stopping quickly',
  'Cutting/lateral movements',
  'Low impact activities like fast walking',
  'Ability to perform activity with your normal technique',
  'Ability to participate in your desired sport as long as you would like',
];

// NAHS (Christensen 2003): every item answered None … Extreme, scored 4 … 0.
export const NAHS_ANSWERS: readonly AnswerWording<4 | 3 | 2 | 1 | 0>[] = [
  { value: 4, label: 'None' },
  { value: 3, label: 'Mild' },
  { value: 2, label: 'Moderate' },
  { value: 1, label: 'Severe' },
  { value: 0, label: 'Extreme' },
];

export interface NahsSection {
  name: string;
  // The question each item of the section completes.
  stem: string;
  items: readonly string[];
}

export const NAHS_INSTRUCTIONS =
  'For each situation, choose the answer that best describes the past 48 hours in the hip being evaluated.';

export const NAHS_SECTIONS: readonly NahsSection[] = [
  {
    name: 'Pain',
    stem: 'How much pain do you have',
    items: [
      'Walking on a flat surface',
      'Going up or down stairs',
      'At night while in bed',
      'Sitting or lying',
      'Standing upright',
    ],
  },
  {
    name: 'Symptoms',
    stem: 'How much trouble do you have with',
    items: [
      'Catching or locking of your hip',
      'Your hip giving way on you',
      'Stiffness in your hip',
      'Decreased movement in your hip',
    ],
  },
  {
    name: 'Physical function',
    stem: 'What degree of difficulty do you have with',
    items: ['Descending stairs', 'Ascending stairs', 'Rising from sitting', 'Putting on socks', 'Rising from bed'],
  },
  {
    name: 'Activity level',
    stem: 'How much difficulty do you have participating in',
    // paraphrase: this stem and the six activity items are accurate short forms, not checked against the published form.
    items: [
      'High-demand sports involving sprinting or cutting (e.g. football, basketball, tennis)',
      'Low-demand sports (e.g. golf, bowling)',
      'Jogging for exercise',
      'Walking for exercise',
      'Heavy household duties (e.g. moving furniture)',
      'Light household duties (e.g. cooking, dusting, vacuuming, laundry)',
    ],
  },
];

// The 20 items in scoring order, each with its section.
export const NAHS_ITEMS: readonly { section: string; stem: string; text: string }[] = NAHS_SECTIONS.flatMap((s) =>
  s.items.map((text) => ({ section: s.name, stem: s.stem, text })),
);

// EQ-5D-5L (EuroQol): five dimensions, levels 1 (no problems) … 5, and the VAS 0–100.
export type Eq5dDimension = Exclude<keyof Eq5d5l, 'vas'>;

export interface Eq5dDimensionWording {
  key: Eq5dDimension;
  name: string;
  // Level 1 … 5.
  levels: readonly [string, string, string, string, string];
}

export const EQ5D5L_INSTRUCTIONS =
  'Under each heading, choose the one statement that best describes your health TODAY.';

export const EQ5D5L_DIMENSIONS: readonly Eq5dDimensionWording[] = [
  {
    key: 'mobility',
    name: 'Mobility',
    levels: [
      'I have no problems in walking about',
      'I have slight problems in walking about',
      'I have moderate problems in walking about',
      'I have severe problems in walking about',
      'I am unable to walk about',
    ],
  },
  {
    key: 'selfCare',
    name: 'Self-care',
    levels: [
      'I have no problems washing or dressing myself',
      'I have slight problems washing or dressing myself',
      'I have moderate problems washing or dressing myself',
      'I have severe problems washing or dressing myself',
      'I am unable to wash or dress myself',
    ],
  },
  {
    key: 'usualActivities',
    name: 'Usual activities (e.g. work, study, housework, family or leisure activities)',
    levels: [
      'I have no problems doing my usual activities',
      'I have slight problems doing my usual activities',
      'I have moderate problems doing my usual activities',
      'I have severe problems doing my usual activities',
      'I am unable to do my usual activities',
    ],
  },
  {
    key: 'painDiscomfort',
    name: 'Pain / discomfort',
    levels: [
      'I have no pain or discomfort',
      'I have slight pain or discomfort',
      'I have moderate pain or discomfort',
      'I have severe pain or discomfort',
      'I have extreme pain or discomfort',
    ],
  },
  {
    key: 'anxietyDepression',
    name: 'Anxiety / depression',
    levels: [
      'I am not anxious or depressed',
      'I am slightly anxious or depressed',
      'I am moderately anxious or depressed',
      'I am severely anxious or depressed',
      'I am extremely anxious or depressed',
    ],
  },
];

export const EQ5D5L_VAS = {
  text: 'We would like to know how good or bad your health is TODAY. 100 means the best health you can imagine; 0 means the worst health you can imagine.',
  label: 'Your health today',
  at0: 'The worst health you can imagine',
  at100: 'The best health you can imagine',
} as const;
