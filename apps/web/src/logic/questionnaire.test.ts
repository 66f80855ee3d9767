import { describe, expect, it, vi } from 'vitest';
import {
  EQ5D5L_VAS,
  HOS_ADL_ITEMS,
  IHOT12_ITEMS,
  INSTRUMENTS,
  type Instrument,
  MHHS_WORDING,
  NAHS_ITEMS,
  scoreProms,
} from '@ilr/clinical';
import {
  answeredCount,
  answersBody,
  closesText,
  completeness,
  createAutosave,
  incompleteInstruments,
  instrumentsInProblem,
  instrumentView,
  introText,
  itemsOf,
  prefillAnswers,
  publicRefusal,
  type QuestionnaireAnswers,
  resumeStep,
  retryAfterWords,
  type SaveState,
  saveStateText,
  stepText,
  type Timers,
  valueOf,
  withAnswer,
} from './questionnaire.js';
import { schemaErrors, schemaOf } from './testing/openapi.js';

// Every item answered with its first option (or 70 on a scale).
function allAnswered(instruments: readonly Instrument[] = INSTRUMENTS): QuestionnaireAnswers {
  let answers = prefillAnswers(instruments, {});
  for (const instrument of instruments)
    for (const item of itemsOf(instrument))
      answers = withAnswer(answers, item, item.kind === 'scale' ? 70 : item.options[0].value);
  return answers;
}

describe('instrumentView', () => {
  it("has every item of every instrument in libs/clinical's words, numbered in scoring order", () => {
    const counts = Object.fromEntries(INSTRUMENTS.map((i) => [i, itemsOf(i).length]));
    expect(counts).toEqual({ mhhs: 8, ihot12: 12, hosAdl: 17, hosSport: 9, nahs: 20, eq5d5l: 6 });
    for (const instrument of INSTRUMENTS) {
      const items = itemsOf(instrument);
      expect(items.map((i) => i.number)).toEqual(items.map((_, n) => n + 1));
      expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    }
    expect(itemsOf('mhhs')[0]).toMatchObject({ kind: 'choice', key: 'pain', text: MHHS_WORDING.pain.text });
    const pain = itemsOf('mhhs')[0];
    expect(pain.kind === 'choice' && pain.options[0]).toEqual({
      value: 'none',
      label: MHHS_WORDING.pain.answers.none,
    });
    expect(itemsOf('ihot12')[11]).toMatchObject({ kind: 'scale', key: 11, text: IHOT12_ITEMS[11].text });
    expect(itemsOf('hosAdl')[16]).toMatchObject({ kind: 'choice', key: 16, text: HOS_ADL_ITEMS[16] });
    expect(itemsOf('nahs').map((i) => i.text)).toEqual(NAHS_ITEMS.map((i) => i.text));
    expect(itemsOf('eq5d5l')[5]).toMatchObject({ kind: 'scale', key: 'vas', text: EQ5D5L_VAS.label });
  });

  it('groups the NAHS items under their question stems and offers "Not applicable" in HOS only', () => {
    const nahs = instrumentView('nahs');
    expect(nahs.sections.map((s) => s.heading)).toEqual([
      'Pain: How much pain do you have…',
      'Symptoms: How much trouble do you have with…',
      'Physical function: What degree of difficulty do you have with…',
      'Activity level: How much difficulty do you have participating in…',
    ]);
    const labels = (i: Instrument) => {
      const item = itemsOf(i)[0];
      return item.kind === 'choice' ? item.options.map((o) => o.label) : [];
    };
    expect(labels('hosSport')).toContain('Not applicable');
    expect(labels('nahs')).not.toContain('Not applicable');
    for (const instrument of INSTRUMENTS) expect(instrumentView(instrument).name).toBeTruthy();
  });
});

describe('prefillAnswers and withAnswer', () => {
  it('gives every due item a null, full-length arrays, and nothing for instruments not due', () => {
    const answers = prefillAnswers(['ihot12', 'eq5d5l'], {});
    expect(answers).toEqual({
      ihot12: Array(12).fill(null),
      eq5d5l: {
        mobility: null,
        selfCare: null,
        usualActivities: null,
        painDiscomfort: null,
        anxietyDepression: null,
        vas: null,
      },
    });
  });

  it('keeps the valid saved answers (0 included) and drops invalid ones and instruments not due', () => {
    const saved = {
      ihot12: [0, 100, 55.5, -1, 101, null, 'x', 7],
      mhhs: { pain: 'mild', limp: 'nonsense' },
      nahs: [4, 5, 0],
      hosAdl: ['na', 4, 7],
    } as unknown as QuestionnaireAnswers;
    const answers = prefillAnswers(['mhhs', 'ihot12', 'hosAdl'], saved);
    expect(answers.ihot12).toEqual([0, 100, 55.5, null, null, null, null, 7, null, null, null, null]);
    expect(answers.mhhs).toMatchObject({ pain: 'mild', limp: null, support: null });
    expect(answers.hosAdl!.slice(0, 3)).toEqual(['na', 4, null]);
    expect(answers.hosAdl).toHaveLength(17);
    expect(answers.nahs).toBeUndefined();
  });

  it('changes one item in a copy', () => {
    const before = prefillAnswers(['mhhs', 'ihot12'], {});
    const [pain] = itemsOf('mhhs');
    const third = itemsOf('ihot12')[2];
    const after = withAnswer(withAnswer(before, pain, 'slight'), third, 0);
    expect(valueOf(after, pain)).toBe('slight');
    expect(valueOf(after, third)).toBe(0);
    expect(valueOf(before, third)).toBeNull();
    expect(after.ihot12).toHaveLength(12);
    expect(valueOf(withAnswer(after, third, null), third)).toBeNull();
  });

  it('sends bodies the API accepts: progress with gaps, and a complete submit', () => {
    expect(schemaErrors('SaveQuestionnaireProgressRequest', answersBody(INSTRUMENTS, {}))).toEqual([]);
    const some = withAnswer(
      withAnswer(prefillAnswers(INSTRUMENTS, {}), itemsOf('hosAdl')[0], 'na'),
      itemsOf('mhhs')[0],
      'mild',
    );
    expect(schemaErrors('SaveQuestionnaireProgressRequest', answersBody(INSTRUMENTS, some))).toEqual([]);
    expect(schemaErrors('SubmitQuestionnaireRequest', answersBody(INSTRUMENTS, allAnswered()))).toEqual([]);
    // Every instrument the API can ask for has its items here.
    expect([...(schemaOf('Instrument').enum as string[])].sort()).toEqual([...INSTRUMENTS].sort());
  });

  it('sends the due instruments item by item, null where unanswered', () => {
    const answers = withAnswer(prefillAnswers(['nahs'], {}), itemsOf('nahs')[0], 3);
    const body = answersBody(['nahs'], { ...answers, ihot12: Array(12).fill(50) });
    expect(body).toEqual({ answers: { nahs: [3, ...Array(19).fill(null)] } });
  });
});

describe('completeness', () => {
  it('follows the scoring rules: mHHS all 8, iHOT-12 10 of 12, HOS-ADL 14 of 17, HOS-Sport 7 of 9, NAHS 18 of 20, EQ-5D-5L all six', () => {
    const full = allAnswered();
    const dropFirst = (instrument: Instrument, n: number) =>
      itemsOf(instrument)
        .slice(0, n)
        .reduce((a, item) => withAnswer(a, item, null), full);
    const allowedGaps: Record<Instrument, number> = { mhhs: 0, ihot12: 2, hosAdl: 3, hosSport: 2, nahs: 2, eq5d5l: 0 };
    for (const instrument of INSTRUMENTS) {
      expect(completeness(instrument, full).complete).toBe(true);
      expect(completeness(instrument, dropFirst(instrument, allowedGaps[instrument])).complete).toBe(true);
      const short = completeness(instrument, dropFirst(instrument, allowedGaps[instrument] + 1));
      expect(short.complete).toBe(false);
      expect(short.unanswered).toHaveLength(allowedGaps[instrument] + 1);
      expect(short.message).toMatch(/^Please answer (all|at least)/);
    }
  });

  it('agrees with libs/clinical scoring on which instruments can be scored', () => {
    // A reproducible spread of answered, unanswered and "Not applicable" items.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let run = 0; run < 200; run++) {
      let answers = prefillAnswers(INSTRUMENTS, {});
      for (const instrument of INSTRUMENTS)
        for (const item of itemsOf(instrument)) {
          if (random() < 0.12) continue;
          const value =
            item.kind === 'scale'
              ? Math.round(random() * 100)
              : item.options[Math.floor(random() * item.options.length)].value;
          answers = withAnswer(answers, item, value);
        }
      const scores = scoreProms(answers as Parameters<typeof scoreProms>[0]);
      for (const instrument of ['mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs'] as const)
        expect(completeness(instrument, answers).complete).toBe(scores[instrument]!.score !== null);
    }
  });

  it('says what is missing in words; "Not applicable" is an answer but does not count for HOS', () => {
    let answers = prefillAnswers(['hosSport', 'ihot12'], {});
    for (const item of itemsOf('hosSport').slice(0, 8)) answers = withAnswer(answers, item, 'na');
    const hos = completeness('hosSport', answers);
    expect(hos).toMatchObject({ answered: 0, needed: 7, total: 9, complete: false });
    expect(hos.unanswered.map((i) => i.number)).toEqual([9]);
    expect(hos.message).toBe(
      'Please answer at least 7 of the 9 activities; 0 are answered so far. Answers of “Not applicable” do not count towards this.',
    );
    expect(answeredCount('hosSport', answers)).toBe(8);
    answers = withAnswer(answers, itemsOf('ihot12')[0], 0);
    expect(completeness('ihot12', answers).message).toBe(
      'Please answer at least 10 of the 12 questions; 1 is answered so far.',
    );
    expect(completeness('eq5d5l', {}).message).toBe('Please answer all 6 questions; 0 are answered so far.');
  });

  it('lists the incomplete instruments in the order shown and resumes at the first of them', () => {
    const due: Instrument[] = ['nahs', 'mhhs', 'eq5d5l'];
    const none = prefillAnswers(due, {});
    expect(resumeStep(due, none)).toBe(0);
    const full = allAnswered(due);
    expect(incompleteInstruments(due, full)).toEqual([]);
    expect(resumeStep(due, full)).toBe(2);
    const partly = withAnswer(withAnswer(full, itemsOf('eq5d5l')[5], null), itemsOf('mhhs')[3], null);
    expect(incompleteInstruments(due, partly).map((c) => c.instrument)).toEqual(['mhhs', 'eq5d5l']);
    expect(resumeStep(due, partly)).toBe(1);
    expect(resumeStep([], {})).toBe(0);
  });
});

describe('words and refusals', () => {
  it('opens with the operation month and the timepoint, and the closing date in words', () => {
    expect(introText({ operationMonth: 'March 2025', timepointLabel: '6 weeks' })).toBe(
      'Your hip operation in March 2025: how are you now, 6 weeks after it?',
    );
    expect(closesText('2025-05-14')).toMatch(/^Please answer by 14 May 2025\./);
    expect(stepText(1, 4)).toBe('Step 2 of 4');
  });

  it('reads a refused request: an unknown, used or expired link alike, too many attempts, the rest', () => {
    const invalid = {
      type: 'about:blank',
      title: 'This link is no longer valid',
      status: 404,
      code: 'link_invalid',
      correlationId: 'x',
    };
    expect(publicRefusal(404, invalid)).toBe('link_invalid');
    expect(publicRefusal(404, undefined)).toBe('link_invalid');
    expect(publicRefusal(429, {})).toBe('throttled');
    expect(publicRefusal(400, {})).toBe('validation');
    expect(publicRefusal(0)).toBe('network');
    expect(publicRefusal(500, {})).toBe('error');
    expect(retryAfterWords('30')).toBe('Please try again in a minute.');
    expect(retryAfterWords('600')).toBe('Please try again in about 10 minutes.');
    expect(retryAfterWords(new Date(Date.UTC(2026, 0, 1, 3)).toUTCString(), Date.UTC(2026, 0, 1, 0))).toBe(
      'Please try again in about 3 hours.',
    );
    expect(retryAfterWords(null)).toBeNull();
    expect(retryAfterWords('soon')).toBeNull();
  });

  it('names the instruments a submit refusal points at', () => {
    const body = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      correlationId: 'c',
      errors: [
        { field: 'answers.nahs', code: 'too_few_answers', message: 'm' },
        { field: 'answers.ihot12[3]', code: 'max', message: 'm' },
        { field: 'answers.eq5d5l.vas', code: 'required', message: 'm' },
        { field: 'answers.unknown', code: 'x', message: 'm' },
      ],
    };
    expect(instrumentsInProblem(body)).toEqual(['ihot12', 'nahs', 'eq5d5l']);
    expect(instrumentsInProblem({})).toEqual([]);
  });

  it('words the saving status', () => {
    expect(saveStateText({ kind: 'saved' })).toBe('Saved');
    expect(saveStateText({ kind: 'saving' })).toBe('Saving…');
    expect(saveStateText({ kind: 'idle' })).toBe('');
    expect(saveStateText({ kind: 'failed', error: new Error('x') })).toMatch(/^Not saved yet/);
  });
});

describe('createAutosave', () => {
  function setup(delayMs = 1000) {
    vi.useFakeTimers();
    const timers: Timers = { set: (run, ms) => setTimeout(run, ms), clear: (h) => clearTimeout(h as number) };
    const sent: string[] = [];
    const pending: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
    const states: SaveState['kind'][] = [];
    const autosave = createAutosave<string>({
      delayMs,
      timers,
      onState: (s) => states.push(s.kind),
      save: (value) =>
        new Promise<void>((resolve, reject) => {
          sent.push(value);
          pending.push({ resolve, reject });
        }),
    });
    return { autosave, sent, pending, states };
  }
  const settle = () => vi.advanceTimersByTimeAsync(0);

  it('saves the latest value once the changes pause', async () => {
    const { autosave, sent, pending, states } = setup();
    autosave.change('a');
    await vi.advanceTimersByTimeAsync(600);
    autosave.change('ab');
    await vi.advanceTimersByTimeAsync(600);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    expect(sent).toEqual(['ab']);
    pending[0].resolve();
    await settle();
    expect(states.at(-1)).toBe('saved');
    vi.useRealTimers();
  });

  it('sends a change made while saving after that request, never alongside it', async () => {
    const { autosave, sent, pending, states } = setup();
    autosave.change('a');
    await vi.advanceTimersByTimeAsync(1000);
    autosave.change('b');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual(['a']);
    pending[0].resolve();
    await settle();
    expect(states.at(-1)).toBe('saving');
    expect(sent).toEqual(['a', 'b']);
    pending[1].resolve();
    await settle();
    expect(states.at(-1)).toBe('saved');
    vi.useRealTimers();
  });

  it('flushes at once (moving to the next step), and keeps a failed value for the next attempt', async () => {
    const { autosave, sent, pending, states } = setup();
    autosave.change('a');
    const flushed = autosave.flush();
    await settle();
    expect(sent).toEqual(['a']);
    pending[0].reject(new Error('offline'));
    await flushed;
    expect(states.at(-1)).toBe('failed');
    const again = autosave.flush();
    await settle();
    expect(sent).toEqual(['a', 'a']);
    pending[1].resolve();
    await again;
    expect(states.at(-1)).toBe('saved');
    // Nothing unsaved: a flush sends nothing.
    await autosave.flush();
    expect(sent).toHaveLength(2);
    vi.useRealTimers();
  });

  it('saves nothing more once stopped (after submitting), nor reports a late answer', async () => {
    const { autosave, sent, pending, states } = setup();
    autosave.change('a');
    await vi.advanceTimersByTimeAsync(1000);
    autosave.change('b');
    autosave.stop();
    pending[0].resolve();
    await vi.advanceTimersByTimeAsync(5000);
    autosave.change('c');
    await autosave.flush();
    expect(sent).toEqual(['a']);
    expect(states.at(-1)).toBe('pending');
    vi.useRealTimers();
  });

  it('discards the unsaved value and waits for the request in flight (before submitting)', async () => {
    const { autosave, sent, pending } = setup();
    autosave.change('a');
    await vi.advanceTimersByTimeAsync(1000);
    autosave.change('b');
    let discarded = false;
    const done = autosave.discard().then(() => (discarded = true));
    await settle();
    expect(discarded).toBe(false);
    pending[0].resolve();
    await done;
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual(['a']);
    // Changes after it are saved again.
    autosave.change('c');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual(['a', 'c']);
    vi.useRealTimers();
  });
});
