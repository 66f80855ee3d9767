import { jest } from '@jest/globals';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import {
  addDays,
  EQ5D5L_DIMENSIONS,
  type Eq5d5l,
  HOS_ADL_ITEMS,
  HOS_ANSWERS,
  HOS_SPORT_ITEMS,
  IHOT12_ITEMS,
  type Instrument,
  ITEM_RULES,
  MHHS_ITEM_NAMES,
  MHHS_WORDING,
  type MhhsAnswers,
  mhhsAnswers,
  NAHS_ANSWERS,
  NAHS_ITEMS,
  type PromAnswers,
  scoreProms,
  todayIn,
} from '@ilr/clinical';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// The New-follow-up page in a real Chromium against the real server and PostgreSQL (as surgeon-cases.browser.spec.ts):
// the timepoint appears as the visit date is typed, each instrument is answered item by item in its words, and the
// scores shown after saving are libs/clinical's scoreProms for the same answers and what the case now returns.
jest.setTimeout(120_000);

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let surgeon: TestUser;
let pageErrors: string[] = [];
let caseId: string;
const today = todayIn('UTC');
const surgeryDate = addDays(today, -400);
const idempotencyKeys: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  const address = t.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  surgeon = await t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ada Follow' });
  const response = await fetch(`${base}/api/v1/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${surgeon.token}` },
    body: JSON.stringify(newCaseBody({ surgeryDate })),
  });
  if (response.status !== 201)
    throw new Error(`creating a case failed with ${response.status}: ${await response.text()}`);
  caseId = ((await response.json()) as { id: string }).id;
  ({ context, page, pageErrors } = await launchBrowser({ width: 1024, height: 900 }));
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith(`/cases/${caseId}/follow-ups`))
      idempotencyKeys.push(request.headers()['idempotency-key'] ?? '');
  });
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

async function checkPage(name: string): Promise<void> {
  await checkShared(page, name);
}

const choose = async (label: string, option: string) => {
  await page.getByRole('combobox', { name: new RegExp(`^${label}( \\*)?$`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};

// An instrument's section, opened.
async function section(name: RegExp): Promise<Locator> {
  const control = page.getByRole('button', { name });
  if ((await control.getAttribute('aria-expanded')) !== 'true') await control.click();
  const region = page.getByRole('region', { name });
  await region.waitFor();
  return region;
}

const radio = (region: Locator, group: string, answer: string) =>
  region.getByRole('radiogroup', { name: group, exact: true }).getByRole('radio', { name: answer, exact: true });

async function answerMhhs(answers: MhhsAnswers) {
  const region = await section(/mHHS/);
  for (const [i, item] of MHHS_ITEM_NAMES.entries()) {
    const code = answers[item];
    const label = mhhsAnswers(item).find((a) => a.value === code)!.label;
    await radio(region, `${i + 1}. ${MHHS_WORDING[item].text}`, label).check();
  }
}

async function answerIhot(items: Array<number | null>) {
  const region = await section(/iHOT-12/);
  for (const [i, value] of items.entries())
    if (value !== null)
      await region.getByRole('textbox', { name: `${i + 1}. ${IHOT12_ITEMS[i].text}`, exact: true }).fill(String(value));
}

async function answerHos(name: RegExp, texts: readonly string[], items: Array<number | 'na' | null>) {
  const region = await section(name);
  for (const [i, value] of items.entries())
    if (value !== null)
      await radio(region, `${i + 1}. ${texts[i]}`, HOS_ANSWERS.find((a) => a.value === value)!.label).check();
}

async function answerNahs(items: number[]) {
  const region = await section(/NAHS/);
  for (const [i, value] of items.entries())
    await radio(region, `${i + 1}. ${NAHS_ITEMS[i].text}`, NAHS_ANSWERS.find((a) => a.value === value)!.label).check();
}

async function answerEq5d(eq: Eq5d5l) {
  const region = await section(/EQ-5D-5L/);
  for (const dimension of EQ5D5L_DIMENSIONS)
    await radio(region, dimension.name, dimension.levels[eq[dimension.key] - 1]).check();
  await region.getByRole('textbox', { name: 'Your health today', exact: true }).fill(String(eq.vas));
}

// Types the date key by key; the timepoint shows before the field is left.
async function typeVisitDate(date: string, timepoint: string) {
  const input = page.getByRole('textbox', { name: /^Visit date/ });
  await input.click();
  await input.pressSequentially(date);
  await page
    .getByTestId('live-timepoint')
    .filter({ hasText: `Timepoint: ${timepoint}` })
    .waitFor();
}

// The saved page shows scoreProms's figures for the answers sent, and so does the case.
async function expectScores(answers: PromAnswers, visitDate: string) {
  await page.getByRole('heading', { name: /^Follow-up saved/ }).waitFor();
  const expected = scoreProms(answers);
  const table = page.getByRole('table', { name: 'Scores' });
  const shown = await table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row: any) => ({
      instrument: row.getAttribute('data-instrument'),
      cells: [...row.querySelectorAll('th, td')].map((cell: any) => cell.textContent.trim()),
    })),
  );
  expect(shown.map((row) => row.instrument)).toEqual(Object.keys(expected));

  const response = await fetch(`${base}/api/v1/cases/${caseId}`, {
    headers: { authorization: `Bearer ${surgeon.token}` },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    followUps: Array<{ visitDate: string; proms: Record<string, { score: number | null; answered: number }> }>;
  };
  const stored = body.followUps.find((v) => v.visitDate === visitDate)!;
  expect(Object.keys(stored.proms).sort()).toEqual(Object.keys(expected).sort());

  for (const row of shown) {
    const instrument = row.instrument as Instrument;
    const score = expected[instrument]!;
    const [, scoreCell, answeredCell, noteCell] = row.cells;
    expect(scoreCell).toBe(score.score === null ? '—' : score.score.toFixed(1));
    expect(answeredCell).toMatch(new RegExp(`^${score.answered} of \\d+$`));
    if (score.score === null) expect(noteCell).toContain(score.unscoredReason!);
    expect(stored.proms[instrument].answered).toBe(score.answered);
    if (score.score === null) expect(stored.proms[instrument].score).toBeNull();
    else expect(stored.proms[instrument].score).toBeCloseTo(score.score, 10);
  }
  return expected;
}

describe('the New-follow-up page', () => {
  it('records a preoperative visit item by item, iHOT-12 too short to score, HOS-ADL with some not applicable', async () => {
    await page.goto(`${base}/cases/${caseId}/follow-ups/new`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(surgeon.email);
    await page.getByLabel('Password', { exact: false }).first().fill(surgeon.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/cases/${caseId}/follow-ups/new$`));
    await page.getByRole('heading', { name: /^New follow-up/ }).waitFor();
    await page.getByText('Timepoint: shown once the visit date is typed').waitFor();

    // Nothing typed: refused in the browser, in words, before anything is sent.
    await page.getByRole('button', { name: 'Save follow-up' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'The follow-up was not saved' });
    await refused.waitFor();
    await expect(refused.innerText()).resolves.toContain('2 fields need attention: Visit date; Contact.');
    await page.getByText('Visit date is required.').waitFor();
    expect(idempotencyKeys).toHaveLength(0);

    const visitDate = addDays(surgeryDate, -7);
    await typeVisitDate(visitDate, 'Preoperative');
    await choose('Contact', 'Clinic');
    await choose('Snapping', 'Painful snapping');
    await page.getByRole('textbox', { name: /^Groin pain/ }).fill('6.5');

    const mhhs: MhhsAnswers = Object.fromEntries(
      MHHS_ITEM_NAMES.map((item, i) => {
        const answers = mhhsAnswers(item);
        return [item, answers[(i + 1) % answers.length].value];
      }),
    );
    const ihot12 = [40, 55, null, 30, 72, ...Array(7).fill(null)] as Array<number | null>;
    const hosAdl = HOS_ADL_ITEMS.map((_, i) => (i % 6 === 5 ? 'na' : ([4, 3, 2, 1, 0] as const)[i % 5])) as Array<
      number | 'na' | null
    >;
    await answerMhhs(mhhs);
    await answerIhot(ihot12);
    await answerHos(/HOS-ADL/, HOS_ADL_ITEMS, hosAdl);
    expect(ihot12.filter((v) => v !== null).length).toBeLessThan(ITEM_RULES.ihot12.minAnswered);
    expect(hosAdl.filter((v) => v === 'na').length).toBeGreaterThan(0);
    await checkPage('follow-up-form');

    // A refusal only the server makes shows at its field, typing kept. The workstation's clock runs three days fast
    // (Playwright's clock in the page): the browser takes a visit tomorrow as past, the server (the registry's today)
    // refuses it as in the future. The rules are the same on both sides; the dates they are given are not.
    const tomorrow = addDays(today, 1);
    await page.clock.setSystemTime(new Date(Date.now() + 3 * 86_400_000));
    const dateInput = page.getByRole('textbox', { name: /^Visit date/ });
    await dateInput.fill('');
    await typeVisitDate(tomorrow, '1 year');
    await page.getByRole('button', { name: 'Save follow-up' }).click();
    await page.getByRole('alert').filter({ hasText: 'The follow-up was not saved' }).waitFor();
    await expect(dateInput.getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByText('Visit date must not be in the future.').waitFor();
    await expect(
      page.getByRole('textbox', { name: `4. ${IHOT12_ITEMS[3].text}`, exact: true }).inputValue(),
    ).resolves.toBe('30');
    expect(idempotencyKeys).toHaveLength(1);
    // The clock put right, the visit date corrected: the resend is the same submission (its Idempotency-Key).
    await page.clock.setSystemTime(new Date());
    await dateInput.fill('');
    await typeVisitDate(visitDate, 'Preoperative');

    await page.getByRole('button', { name: 'Save follow-up' }).click();
    const expected = await expectScores({ mhhs, ihot12, hosAdl }, visitDate);
    expect(expected.ihot12!.score).toBeNull();
    expect(expected.mhhs!.score).not.toBeNull();
    const ihotRow = page.getByRole('table', { name: 'Scores' }).locator('tr[data-instrument="ihot12"]');
    await expect(ihotRow.innerText()).resolves.toContain('Not scored: too few items');
    await expect(page.getByTestId('saved-timepoint').innerText()).resolves.toContain('Preoperative');
    await expect(page.getByRole('link', { name: 'Back to the case' }).getAttribute('href')).resolves.toBe(
      `/cases/${caseId}`,
    );
    await checkPage('follow-up-saved');
  });

  it('records a 1-year visit with every instrument after "Add another follow-up"', async () => {
    await page.getByRole('button', { name: 'Add another follow-up' }).click();
    await page.getByRole('heading', { name: /^New follow-up/ }).waitFor();
    // The form starts again, with nothing of the visit just saved.
    await page.getByText('Timepoint: shown once the visit date is typed').waitFor();
    expect(await page.getByText('Draft restored').count()).toBe(0);

    const visitDate = addDays(surgeryDate, 365);
    await typeVisitDate(visitDate, '1 year');
    await choose('Contact', 'Telephone');
    await choose('Returned to sport', 'Yes');
    await page.getByRole('textbox', { name: /^Satisfaction/ }).fill('9');
    // A reload keeps what was typed (the draft in sessionStorage), the timepoint with it.
    await page.reload();
    await page.getByText('Draft restored').waitFor();
    await page.getByTestId('live-timepoint').filter({ hasText: 'Timepoint: 1 year' }).waitFor();
    await expect(page.getByRole('textbox', { name: /^Satisfaction/ }).inputValue()).resolves.toBe('9');

    const mhhs: MhhsAnswers = Object.fromEntries(MHHS_ITEM_NAMES.map((item) => [item, mhhsAnswers(item)[0].value]));
    const ihot12 = IHOT12_ITEMS.map((_, i) => 60 + i * 3);
    const hosAdl = HOS_ADL_ITEMS.map((_, i) => (i % 3 === 0 ? 3 : 4));
    const hosSport = HOS_SPORT_ITEMS.map((_, i) => (i === 0 ? 'na' : ([4, 3, 2] as const)[i % 3])) as Array<
      number | 'na'
    >;
    const nahs = NAHS_ITEMS.map((_, i) => [4, 4, 3, 2][i % 4]);
    const eq5d5l: Eq5d5l = {
      mobility: 1,
      selfCare: 1,
      usualActivities: 2,
      painDiscomfort: 2,
      anxietyDepression: 1,
      vas: 85,
    };
    await answerMhhs(mhhs);
    await answerIhot(ihot12);
    await answerHos(/HOS-ADL/, HOS_ADL_ITEMS, hosAdl);
    await answerHos(/HOS-Sport/, HOS_SPORT_ITEMS, hosSport);
    await answerNahs(nahs);
    await answerEq5d(eq5d5l);
    // 768 px wide: every section open, nothing wider than the window.
    await page.setViewportSize({ width: 768, height: 900 });
    await expect(
      page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number),
    ).resolves.toBeLessThanOrEqual(768);

    await page.getByRole('button', { name: 'Save follow-up' }).click();
    const expected = await expectScores({ mhhs, ihot12, hosAdl, hosSport, nahs, eq5d5l }, visitDate);
    for (const instrument of ['mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs'] as const)
      expect(expected[instrument]!.score).not.toBeNull();
    await expect(page.getByTestId('saved-timepoint').innerText()).resolves.toContain('1 year');
    // The resend after the refusal reused its key; the next visit had its own.
    expect(idempotencyKeys).toHaveLength(3);
    expect(idempotencyKeys[1]).toBe(idempotencyKeys[0]);
    expect(idempotencyKeys[2]).not.toBe(idempotencyKeys[0]);
    expect(idempotencyKeys.every((key) => key.length > 0)).toBe(true);
  });
});
