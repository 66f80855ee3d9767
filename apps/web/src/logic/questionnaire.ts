// The patient's questionnaire (step 12, /questionnaire/:token): the instruments due at a timepoint, item by item in
// libs/clinical's wording, the answers the page keeps (null = not answered yet), whether each instrument is complete
// enough to score (the rules the server applies on submit: ITEM_RULES, EQ-5D-5L all five and the VAS), the request
// bodies, the saving of progress as the patient goes (debounced, one request at a time) and the public pages' words
// for a refused link. No scores: the patient never sees one.
import {
  EQ5D5L_DIMENSIONS,
  EQ5D5L_INSTRUCTIONS,
  EQ5D5L_VAS,
  HOS_ADL_ITEMS,
  HOS_ANSWERS,
  HOS_INSTRUCTIONS,
  HOS_SPORT_ITEMS,
  IHOT12_INSTRUCTIONS,
  IHOT12_ITEMS,
  INSTRUMENT_NAMES,
  INSTRUMENTS,
  type Instrument,
  ITEM_RULES,
  MHHS_ITEM_NAMES,
  MHHS_WORDING,
  type MhhsItem,
  mhhsAnswers,
  NAHS_ANSWERS,
  NAHS_INSTRUCTIONS,
  NAHS_SECTIONS,
} from '@ilr/clinical';
import type { components } from '../api/schema.js';
import { isProblemBody } from './problem.js';
import { dateInWords } from './visit-labels.js';

export type HosAnswer = 4 | 3 | 2 | 1 | 0 | 'na';
export type Eq5dKey = 'mobility' | 'selfCare' | 'usualActivities' | 'painDiscomfort' | 'anxietyDepression' | 'vas';
export const EQ5D_KEYS: readonly Eq5dKey[] = [...EQ5D5L_DIMENSIONS.map((d) => d.key), 'vas'];

// The shape of the follow-up `proms` object (PromAnswersDto), every item nullable while in progress.
export interface QuestionnaireAnswers {
  mhhs?: { [K in MhhsItem]?: string | null };
  ihot12?: Array<number | null>;
  hosAdl?: Array<HosAnswer | null>;
  hosSport?: Array<HosAnswer | null>;
  nahs?: Array<number | null>;
  eq5d5l?: { [K in Eq5dKey]?: number | null };
}

// GET /api/v1/questionnaire/:token; its `answers` are read through prefillAnswers, which keeps only valid values.
export type QuestionnaireView = components['schemas']['QuestionnaireResponse'];
// The bodies as the API types them (the page's answers are cast at the boundary: an mHHS answer is a code string here).
export type DraftAnswersBody = components['schemas']['SaveQuestionnaireProgressRequest'];
export type SubmitAnswersBody = components['schemas']['SubmitQuestionnaireRequest'];

export type ItemValue = string | number | null;

// One item: where its answer lives (instrument and key: an mHHS/EQ-5D-5L key or an array index).
export interface ItemRef {
  instrument: Instrument;
  key: string | number;
}

export interface ChoiceOption {
  value: string | number;
  label: string;
}

interface ItemBase extends ItemRef {
  // A stable id for the page's elements (`q-ihot12-3`).
  id: string;
  // 1-based, as printed.
  number: number;
  // The question: the group's accessible name.
  text: string;
}

export interface ChoiceItem extends ItemBase {
  kind: 'choice';
  options: readonly ChoiceOption[];
}

// A 0–100 scale: unanswered (null) until the patient sets it; 0 is an answer.
export interface ScaleItem extends ItemBase {
  kind: 'scale';
  at0: string;
  at100: string;
  // Words shown before the scale (the EQ-5D-5L VAS's explanation).
  description?: string;
}

export type QuestionItem = ChoiceItem | ScaleItem;

export interface ItemSection {
  // A group of items under one question stem (NAHS), shown as its own heading; absent for a plain list.
  heading?: string;
  items: QuestionItem[];
}

export interface InstrumentView {
  instrument: Instrument;
  name: string;
  instructions: string | null;
  sections: ItemSection[];
}

const itemId = (instrument: Instrument, key: string | number) => `q-${instrument}-${key}`;

function choice(
  instrument: Instrument,
  key: string | number,
  number: number,
  text: string,
  options: readonly ChoiceOption[],
): ChoiceItem {
  return { kind: 'choice', instrument, key, id: itemId(instrument, key), number, text, options };
}

// An instrument's items in their scoring order, worded as libs/clinical words them.
export function instrumentView(instrument: Instrument): InstrumentView {
  const name = INSTRUMENT_NAMES[instrument];
  switch (instrument) {
    case 'mhhs':
      return {
        instrument,
        name,
        instructions: 'For each question, choose the answer that fits you best.',
        sections: [
          {
            items: MHHS_ITEM_NAMES.map((item, i) =>
              choice('mhhs', item, i + 1, MHHS_WORDING[item].text, mhhsAnswers(item)),
            ),
          },
        ],
      };
    case 'ihot12':
      return {
        instrument,
        name,
        instructions: IHOT12_INSTRUCTIONS,
        sections: [
          {
            items: IHOT12_ITEMS.map((item, i) => ({
              kind: 'scale' as const,
              instrument,
              key: i,
              id: itemId(instrument, i),
              number: i + 1,
              text: item.text,
              at0: item.at0,
              at100: item.at100,
            })),
          },
        ],
      };
    case 'hosAdl':
    case 'hosSport':
      return {
        instrument,
        name,
        instructions: HOS_INSTRUCTIONS,
        sections: [
          {
            items: (instrument === 'hosAdl' ? HOS_ADL_ITEMS : HOS_SPORT_ITEMS).map((text, i) =>
              choice(instrument, i, i + 1, text, HOS_ANSWERS),
            ),
          },
        ],
      };
    case 'nahs': {
      let n = 0;
      return {
        instrument,
        name,
        instructions: NAHS_INSTRUCTIONS,
        sections: NAHS_SECTIONS.map((section) => ({
          heading: `${section.name}: ${section.stem}…`,
          items: section.items.map((text) => {
            const i = n++;
            return choice('nahs', i, i + 1, text, NAHS_ANSWERS);
          }),
        })),
      };
    }
    case 'eq5d5l':
      return {
        instrument,
        name,
        instructions: EQ5D5L_INSTRUCTIONS,
        sections: [
          {
            items: [
              ...EQ5D5L_DIMENSIONS.map((dimension, i) =>
                choice(
                  'eq5d5l',
                  dimension.key,
                  i + 1,
                  dimension.name,
                  dimension.levels.map((label, level) => ({ value: level + 1, label })),
                ),
              ),
              {
                kind: 'scale' as const,
                instrument,
                key: 'vas',
                id: itemId(instrument, 'vas'),
                number: EQ5D5L_DIMENSIONS.length + 1,
                text: EQ5D5L_VAS.label,
                description: EQ5D5L_VAS.text,
                at0: EQ5D5L_VAS.at0,
                at100: EQ5D5L_VAS.at100,
              },
            ],
          },
        ],
      };
  }
}

export const itemsOf = (instrument: Instrument): QuestionItem[] =>
  instrumentView(instrument).sections.flatMap((s) => s.items);

const ITEM_COUNT: Record<Instrument, number> = {
  mhhs: ITEM_RULES.mhhs.items,
  ihot12: ITEM_RULES.ihot12.items,
  hosAdl: ITEM_RULES.hosAdl.items,
  hosSport: ITEM_RULES.hosSport.items,
  nahs: ITEM_RULES.nahs.items,
  eq5d5l: EQ5D_KEYS.length,
};

// How many items must be answered for the instrument to count (server: too_few_answers below it).
export const MIN_ANSWERED: Record<Instrument, number> = {
  mhhs: ITEM_RULES.mhhs.minAnswered,
  ihot12: ITEM_RULES.ihot12.minAnswered,
  hosAdl: ITEM_RULES.hosAdl.minAnswered,
  hosSport: ITEM_RULES.hosSport.minAnswered,
  nahs: ITEM_RULES.nahs.minAnswered,
  eq5d5l: EQ5D_KEYS.length,
};

const nulls = <T>(n: number): Array<T | null> => Array.from({ length: n }, () => null);

// The values an item may take, for keeping only valid saved answers.
function validValue(item: QuestionItem, value: unknown): ItemValue {
  if (value === null || value === undefined) return null;
  if (item.kind === 'scale')
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100 ? value : null;
  return item.options.some((o) => o.value === value) ? (value as string | number) : null;
}

export function valueOf(answers: QuestionnaireAnswers | QuestionnaireView['answers'], ref: ItemRef): ItemValue {
  const group = (answers as Record<string, unknown>)[ref.instrument] as
    Record<string | number, ItemValue> | null | undefined;
  return group?.[ref.key] ?? null;
}

// Every item of the due instruments, null unless the saved answers (GET's `answers`) hold a valid value for it.
// Instruments not due are left out; arrays have their full length.
export function prefillAnswers(
  instruments: readonly Instrument[],
  saved: QuestionnaireAnswers | QuestionnaireView['answers'] | null | undefined,
): QuestionnaireAnswers {
  const out: QuestionnaireAnswers = {};
  for (const instrument of instruments) {
    const items = itemsOf(instrument);
    const values = items.map((item) => validValue(item, saved ? valueOf(saved, item) : null));
    if (instrument === 'mhhs' || instrument === 'eq5d5l') {
      (out as Record<string, unknown>)[instrument] = Object.fromEntries(items.map((item, i) => [item.key, values[i]]));
    } else {
      (out as Record<string, unknown>)[instrument] =
        values.length === ITEM_COUNT[instrument] ? values : nulls(ITEM_COUNT[instrument]);
    }
  }
  return out;
}

// The answers with one item changed (a new object; the others are shared).
export function withAnswer(answers: QuestionnaireAnswers, ref: ItemRef, value: ItemValue): QuestionnaireAnswers {
  const current = answers[ref.instrument];
  if (typeof ref.key === 'number') {
    const list = Array.isArray(current) ? [...current] : nulls<ItemValue>(ITEM_COUNT[ref.instrument]);
    list[ref.key] = value;
    return { ...answers, [ref.instrument]: list };
  }
  return { ...answers, [ref.instrument]: { ...(current as object | undefined), [ref.key]: value } };
}

// The body of PUT …/answers and POST …/submit: the due instruments, every item (null where unanswered).
export function answersBody(
  instruments: readonly Instrument[],
  answers: QuestionnaireAnswers,
): { answers: QuestionnaireAnswers } {
  return { answers: prefillAnswers(instruments, answers) };
}

export interface Completeness {
  instrument: Instrument;
  name: string;
  total: number;
  // Items that count towards the minimum (for HOS, "Not applicable" does not).
  answered: number;
  needed: number;
  complete: boolean;
  // Items with no answer at all, in order.
  unanswered: QuestionItem[];
  // What is missing, in words (null when complete).
  message: string | null;
}

const counts = (value: ItemValue) => value !== null && value !== 'na';

export function completeness(instrument: Instrument, answers: QuestionnaireAnswers): Completeness {
  const items = itemsOf(instrument);
  const values = items.map((item) => validValue(item, valueOf(answers, item)));
  const answered = values.filter(counts).length;
  const needed = MIN_ANSWERED[instrument];
  const total = items.length;
  const complete = answered >= needed;
  const unanswered = items.filter((_, i) => values[i] === null);
  const naGiven = values.some((v) => v === 'na');
  let message: string | null = null;
  if (!complete) {
    const noun = instrument === 'hosAdl' || instrument === 'hosSport' ? 'activities' : 'questions';
    const ask =
      needed === total
        ? `Please answer all ${total} ${noun}`
        : `Please answer at least ${needed} of the ${total} ${noun}`;
    const so = `${answered} ${answered === 1 ? 'is' : 'are'} answered so far`;
    message = `${ask}; ${so}.${naGiven ? ' Answers of “Not applicable” do not count towards this.' : ''}`;
  }
  return { instrument, name: INSTRUMENT_NAMES[instrument], total, answered, needed, complete, unanswered, message };
}

// The due instruments that are not complete enough to send, in the order shown.
export function incompleteInstruments(
  instruments: readonly Instrument[],
  answers: QuestionnaireAnswers,
): Completeness[] {
  return instruments.map((i) => completeness(i, answers)).filter((c) => !c.complete);
}

// The step to resume at: the first instrument not complete enough; the last one when all are.
export function resumeStep(instruments: readonly Instrument[], answers: QuestionnaireAnswers): number {
  const first = instruments.findIndex((i) => !completeness(i, answers).complete);
  return first === -1 ? Math.max(0, instruments.length - 1) : first;
}

// Answered items of an instrument (any answer, "Not applicable" included), for "5 of 12 answered".
export function answeredCount(instrument: Instrument, answers: QuestionnaireAnswers): number {
  return itemsOf(instrument).filter((item) => validValue(item, valueOf(answers, item)) !== null).length;
}

export const isInstrument = (value: unknown): value is Instrument =>
  typeof value === 'string' && (INSTRUMENTS as readonly string[]).includes(value);

// The instruments a submit's 400 names (`answers.ihot12`, `answers.ihot12[3]`, `answers.mhhs.pain`), in order.
export function instrumentsInProblem(body: unknown): Instrument[] {
  if (!isProblemBody(body)) return [];
  const found = new Set<Instrument>();
  for (const error of body.errors ?? []) {
    const name = /^answers\.(\w+)/.exec(error.field)?.[1];
    if (isInstrument(name)) found.add(name);
  }
  return INSTRUMENTS.filter((i) => found.has(i));
}

// The page's opening line: "Your hip operation in March 2025: how are you now, 6 weeks after it?"
export function introText(view: Pick<QuestionnaireView, 'operationMonth' | 'timepointLabel'>): string {
  return `Your hip operation in ${view.operationMonth}: how are you now, ${view.timepointLabel} after it?`;
}

export function closesText(closesOn: string): string {
  return `Please answer by ${dateInWords(closesOn)}. It takes about 10 minutes; your answers are kept as you go, so you can stop and come back with the same link.`;
}

export const stepText = (index: number, count: number) => `Step ${index + 1} of ${count}`;

// What a refused request to the public routes means for the patient.
export type PublicRefusal = 'link_invalid' | 'throttled' | 'validation' | 'network' | 'error';

export function publicRefusal(status: number, body?: unknown): PublicRefusal {
  if (status === 0) return 'network';
  if (status === 404) return 'link_invalid';
  if (status === 429) return 'throttled';
  if (status === 400) return 'validation';
  if (isProblemBody(body) && body.code === 'link_invalid') return 'link_invalid';
  return 'error';
}

// A Retry-After header (seconds, or an HTTP date) in words, or null when absent or unreadable.
export function retryAfterWords(header: string | null | undefined, now = Date.now()): string | null {
  if (!header) return null;
  let seconds = Number(header);
  if (!/^\d+$/.test(header.trim())) {
    const at = Date.parse(header);
    if (Number.isNaN(at)) return null;
    seconds = Math.max(0, Math.round((at - now) / 1000));
  }
  if (seconds <= 60) return 'Please try again in a minute.';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `Please try again in about ${minutes} minutes.`;
  return `Please try again in about ${Math.round(minutes / 60)} hours.`;
}

// The status line of saving, for an aria-live region.
export type SaveState =
  { kind: 'idle' } | { kind: 'pending' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; error: unknown };

export function saveStateText(state: SaveState): string {
  switch (state.kind) {
    case 'idle':
      return '';
    case 'pending':
    case 'saving':
      return 'Saving…';
    case 'saved':
      return 'Saved';
    case 'failed':
      return 'Not saved yet: your answers are kept on this page and saved again when you carry on.';
  }
}

export interface Timers {
  set: (run: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Autosave<T> {
  // A new value: saved once `delayMs` pass without another change.
  change(value: T): void;
  // Save the latest unsaved value now (after a request in flight); resolves when it is saved or failed.
  flush(): Promise<void>;
  // Drops the unsaved value and resolves once no request is in flight (before the page submits every answer).
  discard(): Promise<void>;
  // Nothing more is saved, and answers to requests in flight are not reported (the page submitted).
  stop(): void;
}

// Saves the latest value, debounced and one request at a time: a change while a request is in flight is sent after
// it, never alongside (so answers cannot arrive out of order). A failed value stays unsaved: the next change or flush
// sends the latest one.
export function createAutosave<T>(options: {
  save: (value: T) => Promise<void>;
  delayMs: number;
  onState: (state: SaveState) => void;
  timers?: Timers;
}): Autosave<T> {
  const timers = options.timers ?? realTimers;
  let unsaved: { value: T } | null = null;
  let timer: unknown = null;
  let inflight: Promise<void> | null = null;
  let stopped = false;

  const clearTimer = () => {
    if (timer !== null) timers.clear(timer);
    timer = null;
  };

  async function run(): Promise<void> {
    clearTimer();
    while (inflight) await inflight;
    if (stopped || !unsaved) return;
    const { value } = unsaved;
    unsaved = null;
    options.onState({ kind: 'saving' });
    inflight = Promise.resolve()
      .then(() => options.save(value))
      .then(
        () => {
          if (!stopped) options.onState(unsaved ? { kind: 'pending' } : { kind: 'saved' });
        },
        (error: unknown) => {
          // Kept for the next attempt unless something newer came meanwhile.
          unsaved ??= { value };
          if (!stopped) options.onState({ kind: 'failed', error });
        },
      );
    try {
      await inflight;
    } finally {
      inflight = null;
    }
  }

  return {
    change(value) {
      if (stopped) return;
      unsaved = { value };
      clearTimer();
      options.onState({ kind: 'pending' });
      timer = timers.set(() => void run(), options.delayMs);
    },
    flush: run,
    async discard() {
      clearTimer();
      unsaved = null;
      while (inflight) await inflight;
    },
    stop() {
      stopped = true;
      unsaved = null;
      clearTimer();
    },
  };
}
