import { jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { addDays, IHOT12_ITEMS, MHHS_WORDING, scoreIhot12, scoreMhhs, todayIn } from '@ilr/clinical';
import { InvitationsService } from '@ilr/registry';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';
import { linksIn, TestMailServer } from '../support/mail.js';

// Patient-reported follow-ups in a real Chromium against the real server, PostgreSQL and an SMTP server in this
// process: the patient follows the mailed link on a 375-px-wide phone, answers through the page's own controls,
// leaves and comes back to their saved progress, sends the answers (no score shown) and finds the link used; the
// registry staff see the invitations on the case page and send one. The API-level rules (reminders, expiry, bounces,
// rate limits, roles) are test/e2e/questionnaires.e2e.spec.ts's.
jest.setTimeout(180_000);

type Body = Record<string, any>;

let t: TestApp;
let mail: TestMailServer;
let base: string;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let surgeon: TestUser;
let staff: TestUser;
const PUBLIC_URL = 'https://registry.example.org';
const today = todayIn('UTC');
// Day 47: the 6w window (days 28–69) is open.
const surgeryDate = addDays(today, -47);

async function send(method: string, path: string, token: string, body?: Body): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return text ? JSON.parse(text) : undefined;
}

async function newCase(email: string): Promise<Body> {
  return send(
    'POST',
    '/api/v1/cases',
    surgeon.token,
    newCaseBody({ surgeryDate, patient: { mrn: uniqueMrn(), birthDate: '1991-03-04', sex: 'female', email } }),
  );
}

beforeAll(async () => {
  mail = await new TestMailServer().start();
  t = await startTestApp({ SMTP_URL: mail.url, PUBLIC_URL });
  base = `http://127.0.0.1:${(t.server.address() as { port: number }).port}`;
  [surgeon, staff] = await Promise.all([
    t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ada Asks' }),
    t.factories.newUser({ role: 'registry_staff', displayName: 'Rita Registry' }),
  ]);
  ({ context, page, pageErrors } = await launchBrowser({ width: 375, height: 800 }));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
  await mail?.close();
});

const checkPage = (name: string) => checkShared(page, name);
const group = (name: string) => page.getByRole('group', { name, exact: true });
const ihotItem = (i: number) => group(`${i + 1}. ${IHOT12_ITEMS[i].text}`);
const saved = () => page.getByTestId('save-status').getByText('Saved', { exact: true }).waitFor();
const putAnswers = () =>
  page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/answers') && r.status() === 204);

// mHHS: these answers (85 points), in the page's words.
const MHHS: Record<keyof typeof MHHS_WORDING, string> = {
  pain: 'slight',
  limp: 'none',
  support: 'none',
  distance: 'unlimited',
  stairs: 'normally_with_railing',
  shoesSocks: 'with_ease',
  sitting: 'ordinary_chair_one_hour',
  publicTransport: 'able',
};
// iHOT-12: typed, except item 6 (the slider moved one step up from its middle) and item 12 (left unanswered).
const IHOT: Array<number | null> = [80, 70, 60, 90, 100, 51, 40, 75, 85, 65, 0, null];

describe('patient questionnaires', () => {
  it('are answered from the mailed link on a phone, resumed after leaving, sent without a score, and the link ends', async () => {
    const email = `pat.${uniqueMrn().toLowerCase()}@example.org`;
    const theCase = await newCase(email);
    await t.app.get(InvitationsService).runSchedule();
    const [message] = mail.to(email);
    expect(message).toBeDefined();
    const { answer } = linksIn(message);
    // The mail's link is PUBLIC_URL's; the same path on this test's server.
    expect(message.text).toContain(`${PUBLIC_URL}/questionnaire/${answer}`);
    const link = `${base}/questionnaire/${answer}`;

    await page.goto(link);
    await page.getByRole('heading', { name: 'How is your hip?', level: 1 }).waitFor();
    const month = new Date(`${surgeryDate}T00:00:00Z`).toLocaleString('en-GB', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    await page.getByText(`Your hip operation in ${month}: how are you now, 6 weeks after it?`).waitFor();
    await page.getByText('Step 1 of 3: mHHS').waitFor();
    await page.getByRole('heading', { name: 'Modified Harris Hip Score (mHHS)', level: 2 }).waitFor();
    // One column on the phone: nothing wider than the screen.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await checkPage('questionnaire-phone');

    // mHHS item by item; moving on saves.
    const names = Object.keys(MHHS) as Array<keyof typeof MHHS>;
    for (const [i, item] of names.entries()) {
      const answers = MHHS_WORDING[item].answers as Record<string, string>;
      await group(`${i + 1}. ${MHHS_WORDING[item].text}`)
        .getByRole('radio', { name: answers[MHHS[item]], exact: true })
        .check();
    }
    const firstSave = putAnswers();
    await page.getByRole('button', { name: 'Next' }).click();
    await firstSave;
    await saved();
    await page.getByText('Step 2 of 3: iHOT-12').waitFor();
    await expect(page.evaluate<string>('document.activeElement?.textContent')).resolves.toBe(
      'International Hip Outcome Tool (iHOT-12)',
    );

    // iHOT-12: unanswered is not 0; five typed, one on the slider.
    await expect(ihotItem(0).getByText('Not answered yet').count()).resolves.toBe(1);
    for (const i of [0, 1, 2, 3, 4]) await ihotItem(i).getByLabel('Your answer, 0 to 100').fill(String(IHOT[i]));
    await ihotItem(5).getByRole('slider').focus();
    const laterSave = putAnswers();
    await page.keyboard.press('ArrowRight');
    await ihotItem(5).getByText('Your answer: 51').waitFor();
    await laterSave;
    await saved();

    // Leave, and come back with the same link: at the first instrument not complete, every answer kept.
    await page.goto('about:blank');
    await page.goto(link);
    await page.getByText('Step 2 of 3: iHOT-12').waitFor();
    for (const i of [0, 1, 2, 3, 4, 5])
      await expect(ihotItem(i).getByLabel('Your answer, 0 to 100').inputValue()).resolves.toBe(String(IHOT[i]));
    await expect(ihotItem(6).getByText('Not answered yet').count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByText('Step 1 of 3: mHHS').waitFor();
    await expect(
      group(`1. ${MHHS_WORDING.pain.text}`).getByRole('radio', { name: MHHS_WORDING.pain.answers.slight }).isChecked(),
    ).resolves.toBe(true);
    await page.getByRole('button', { name: 'Next' }).click();
    for (const i of [6, 7, 8, 9, 10]) await ihotItem(i).getByLabel('Your answer, 0 to 100').fill(String(IHOT[i]));
    await ihotItem(10).getByText('Your answer: 0').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    // EQ-5D-5L without its scale: the page says what is missing before sending anything.
    await page.getByText('Step 3 of 3: EQ-5D-5L').waitFor();
    const levels: Record<string, string> = {
      Mobility: 'I have no problems in walking about',
      'Self-care': 'I have no problems washing or dressing myself',
      'Usual activities (e.g. work, study, housework, family or leisure activities)':
        'I have slight problems doing my usual activities',
      'Pain / discomfort': 'I have slight pain or discomfort',
      'Anxiety / depression': 'I am not anxious or depressed',
    };
    for (const [i, [dimension, level]] of Object.entries(levels).entries())
      await group(`${i + 1}. ${dimension}`)
        .getByRole('radio', { name: level, exact: true })
        .check();
    let submits = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/submit')) submits++;
    });
    await page.getByRole('button', { name: 'Send my answers' }).click();
    const missing = page.getByRole('alert').filter({ hasText: 'Some answers are missing' });
    await missing.waitFor();
    await missing.getByText('Please answer all 6 questions; 5 are answered so far.').waitFor();
    expect(submits).toBe(0);
    await checkPage('questionnaire-missing');
    await group('6. Your health today').getByLabel('Your answer, 0 to 100').fill('82');
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByRole('heading', { name: 'Thank you', level: 1 }).waitFor();
    const mhhsScore = scoreMhhs(MHHS as Parameters<typeof scoreMhhs>[0]).score!;
    const ihotScore = scoreIhot12(IHOT).score!;
    const thanks = await page.locator('main').innerText();
    expect(thanks).not.toMatch(/score|points|\d/i);

    // The answers became a scored 6w visit by remote questionnaire.
    const stored = await send('GET', `/api/v1/cases/${theCase.id}`, surgeon.token);
    expect(stored.followUps).toHaveLength(1);
    const [visit] = stored.followUps;
    expect(visit).toMatchObject({ timepoint: '6w', contactMode: 'remote_questionnaire' });
    expect(visit.proms.mhhs.score).toBeCloseTo(mhhsScore, 10);
    expect(visit.proms.ihot12.score).toBeCloseTo(ihotScore, 10);
    expect(visit.proms.eq5d5l.items).toEqual({
      mobility: 1,
      selfCare: 1,
      usualActivities: 2,
      painDiscomfort: 2,
      anxietyDepression: 1,
      vas: 82,
    });

    // The used link reads exactly like a made-up one.
    await page.goto(link);
    await page.getByRole('heading', { name: 'This link is no longer valid', level: 1 }).waitFor();
    const used = await page.locator('main').innerText();
    expect(used).toContain('contact the clinic');
    await checkPage('questionnaire-link-invalid');
    await page.goto(`${base}/questionnaire/${'A'.repeat(43)}`);
    await page.getByRole('heading', { name: 'This link is no longer valid', level: 1 }).waitFor();
    await expect(page.locator('main').innerText()).resolves.toBe(used);
  });

  it("show on the case page for registry staff, who send one now and change the patient's contact", async () => {
    const email = `pat.${uniqueMrn().toLowerCase()}@example.org`;
    // Not yet reached by the scheduler: its 6w window is open, nothing sent.
    const theCase = await newCase(email);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/cases/${theCase.id}`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password', { exact: false }).first().fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: theCase.registryCode, level: 1 }).waitFor();

    const table = page.getByRole('table', { name: 'Questionnaire invitations' });
    const row = (timepoint: string) => table.locator('tbody tr').filter({ hasText: timepoint });
    await table.waitFor();
    await expect(table.locator('tbody tr').count()).resolves.toBe(6);
    // The status in words with its reason; the window's dates in words.
    await expect(row('6 weeks').innerText()).resolves.toMatch(/Scheduled\s+Due: it goes with the next run/);
    await expect(row('3 months').innerText()).resolves.toMatch(/Scheduled\s+Window opens \d{1,2} [A-Z][a-z]+ \d{4}/);
    await expect(row('3 months').getByRole('button').count()).resolves.toBe(0);
    await page.getByRole('group', { name: 'Questionnaire contact' }).getByText(`Email: ${email}`).waitFor();
    await checkPage('case-invitations');

    await page.getByRole('button', { name: 'Send the 6 weeks questionnaire now' }).click();
    await page.getByText('The 6 weeks questionnaire was sent to the patient.').waitFor();
    await row('6 weeks').getByText('Sent, not answered yet').waitFor();
    expect(mail.to(email)).toHaveLength(1);
    expect(linksIn(mail.to(email)[0]).answer).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Resend the 6 weeks questionnaire with a fresh link' }).waitFor();

    // The patient declined on the phone: staff record it (PATCH with the patient's version), and nothing more is sent.
    await page.getByRole('button', { name: 'Edit questionnaire contact' }).click();
    const form = page.getByRole('form', { name: 'Questionnaire contact' });
    await expect(form.getByLabel("Patient's email for questionnaires").inputValue()).resolves.toBe(email);
    await form.getByRole('radio', { name: 'Do not send questionnaire emails (the patient declined)' }).check();
    await form.getByRole('button', { name: 'Save contact' }).click();
    await page.getByText('The questionnaire contact was saved.').waitFor();
    await page.getByText('Declined questionnaire emails').waitFor();
    await page.getByText(/^The patient is not sent questionnaires/).waitFor();
    await page
      .getByRole('button', { name: /questionnaire (now|with a fresh link)$/ })
      .first()
      .waitFor({ state: 'detached' });
    const patient = await send('GET', `/api/v1/patients/${theCase.patientId}`, staff.token);
    expect(patient).toMatchObject({ promInvitations: 'declined', email });
    expect(mail.to(email)).toHaveLength(1);
  });
});
