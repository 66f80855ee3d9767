// The patient's questionnaire rendered to HTML with react-dom/server (as the other form tests): each item a group
// named by its question, a scale unanswered until set (0 is an answer), the steps, what is missing, the public frame.
import { MantineProvider } from '@mantine/core';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HOS_SPORT_ITEMS, IHOT12_ITEMS, type Instrument, MHHS_WORDING } from '@ilr/clinical';
import {
  itemsOf,
  prefillAnswers,
  type QuestionnaireAnswers,
  type QuestionnaireView,
  withAnswer,
} from '../../logic/questionnaire.js';
import { LinkInvalid } from './public-pages.js';
import { QuestionnaireSteps, type QuestionnaireStepsProps } from './QuestionnaireSteps.js';

const instruments: Instrument[] = ['mhhs', 'ihot12', 'hosSport', 'eq5d5l'];
const view: QuestionnaireView = {
  timepoint: '6w',
  timepointLabel: '6 weeks',
  operationMonth: 'March 2025',
  closesOn: '2025-05-22',
  instruments,
  answers: {},
};

function render(answers: QuestionnaireAnswers, props: Partial<QuestionnaireStepsProps> = {}) {
  return renderToStaticMarkup(
    <MantineProvider>
      <QuestionnaireSteps
        view={view}
        answers={answers}
        onAnswer={() => undefined}
        saveState={{ kind: 'saved' }}
        onSubmit={() => undefined}
        {...props}
      />
    </MantineProvider>,
  );
}

const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
// The <fieldset> of an item and its contents.
const fieldsetOf = (html: string, id: string) => {
  const at = html.indexOf(`id="${id}"`);
  const start = html.lastIndexOf('<fieldset', at);
  expect(at).toBeGreaterThan(-1);
  expect(html.slice(start, at)).not.toContain('>');
  return html.slice(start, html.indexOf('</fieldset>', start));
};

describe('QuestionnaireSteps', () => {
  it('opens with the operation month and timepoint, the step and the first instrument, item by item', () => {
    const html = render(prefillAnswers(instruments, {}));
    expect(html).toContain('Your hip operation in March 2025: how are you now, 6 weeks after it?');
    expect(html).toContain('Please answer by 22 May 2025.');
    expect(html).toContain('Step 1 of 4: mHHS');
    expect(html).toContain('aria-label="Step 1 of 4"');
    expect(html).toMatch(/<h2[^>]*>Modified Harris Hip Score \(mHHS\)<\/h2>/);
    for (const item of itemsOf('mhhs')) {
      const group = fieldsetOf(html, item.id);
      expect(group).toContain(`<legend`);
      expect(group).toContain(`${item.number}. ${escaped(item.text)}</legend>`);
      if (item.kind === 'choice') for (const option of item.options) expect(group).toContain(escaped(option.label));
      expect((group.match(/type="radio"/g) ?? []).length).toBe(item.kind === 'choice' ? item.options.length : 0);
    }
    expect(html).toContain(escaped(MHHS_WORDING.sitting.answers.ordinary_chair_one_hour));
    expect(html).toContain('role="status"');
    expect(html).toContain('Saved');
    // Not the last step: Next, no sending yet.
    expect(html).toContain('>Next<');
    expect(html).not.toContain('Send my answers');
  });

  it('shows a 0–100 item as unanswered until set, and 0 as an answer', () => {
    let answers = prefillAnswers(instruments, {});
    const [first, second] = itemsOf('ihot12');
    answers = withAnswer(answers, second, 0);
    const html = render(answers, { initialStep: 1 });
    expect(html).toContain('Step 2 of 4: iHOT-12');
    const unanswered = fieldsetOf(html, first.id);
    expect(unanswered).toContain(`1. ${escaped(IHOT12_ITEMS[0].text)}</legend>`);
    expect(unanswered).toContain('Not answered yet');
    expect(unanswered).toContain('aria-valuetext="Not answered yet"');
    expect(unanswered).toContain(`aria-label="${escaped(IHOT12_ITEMS[0].text)}"`);
    const zero = fieldsetOf(html, second.id);
    expect(zero).not.toContain('Not answered yet');
    expect(zero).toContain('Your answer: 0');
    expect(zero).toContain('aria-valuetext="0 of 100"');
    expect(html).toContain('1 of 12 answered');
  });

  it('keeps a saved answer checked', () => {
    const answers = withAnswer(prefillAnswers(instruments, {}), itemsOf('hosSport')[2], 'na');
    const group = fieldsetOf(render(answers, { initialStep: 2 }), itemsOf('hosSport')[2].id);
    expect(group).toContain(`3. ${escaped(HOS_SPORT_ITEMS[2])}`);
    expect(group).toMatch(/<input type="radio"[^>]*checked=""[^>]*value="na"\/>/);
    expect((group.match(/checked=""/g) ?? []).length).toBe(1);
  });

  it('sends from the last step, and after a check lists what is missing with a way back to it', () => {
    let answers = prefillAnswers(instruments, {});
    for (const item of itemsOf('eq5d5l').slice(0, 5)) answers = withAnswer(answers, item, 1);
    const html = render(answers, { initialStep: 3, initiallyChecked: true });
    expect(html).toContain('Step 4 of 4: EQ-5D-5L');
    expect(html).toContain('Send my answers');
    expect(html).toContain('Some answers are missing');
    expect(html).toContain('Please answer all 8 questions; 0 are answered so far.');
    expect(html).toContain('Go to mHHS');
    expect(html).toContain('Go to iHOT-12');
    expect(html).toContain('Go to HOS-Sport');
    // The step shown: its own message, no button to itself; its unanswered VAS marked in words.
    expect(html).toContain('Please answer all 6 questions; 5 are answered so far.');
    expect(html).not.toContain('Go to EQ-5D-5L');
    expect(fieldsetOf(html, itemsOf('eq5d5l')[5].id)).toContain('Not answered yet');
  });

  it("lists an instrument the server refused even when the page's check passed", () => {
    let answers = prefillAnswers(['nahs'], {});
    for (const item of itemsOf('nahs')) answers = withAnswer(answers, item, 2);
    const html = renderToStaticMarkup(
      <MantineProvider>
        <QuestionnaireSteps
          view={{ ...view, instruments: ['nahs'] }}
          answers={answers}
          onAnswer={() => undefined}
          saveState={{ kind: 'idle' }}
          onSubmit={() => undefined}
          submitRefusal={{ instruments: ['nahs'], messages: ['At least 18 NAHS items are needed.'] }}
        />
      </MantineProvider>,
    );
    expect(html).toContain('Some answers are missing');
    expect(html).toContain('At least 18 NAHS items are needed.');
    expect(html).toContain('Step 1 of 1: NAHS');
    expect(html).toContain('Pain: How much pain do you have…</h3>');
  });
});

describe('LinkInvalid', () => {
  it('is one plain page in a <main>, naming whom to contact', () => {
    const html = renderToStaticMarkup(
      <MantineProvider>
        <LinkInvalid />
      </MantineProvider>,
    );
    expect(html).toMatch(/<main[^>]*>.*<h1[^>]*>This link is no longer valid<\/h1>/s);
    expect(html).toContain('contact the clinic that did your hip operation');
    expect(html).toContain('<header');
  });
});
