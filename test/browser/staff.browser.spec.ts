import { jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { addDays, SNAPPING, TIMEPOINT_WINDOWS, todayIn } from '@ilr/clinical';
import { dateInWords, TIMEPOINT_LABELS } from '../../apps/web/src/logic/visit-labels.js';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// Registry staff in a real Chromium against the real server and PostgreSQL (as the surgeon's browser tests): the work
// lists from the data-quality report, a case found through them and its missing follow-up added, which takes it off
// the list; a patient's cases found by MRN; a follow-up and a complication corrected, with a 412 reloaded on the way.
jest.setTimeout(180_000);

type Body = Record<string, any>;

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let staff: TestUser;
let surgeonA: TestUser;
let surgeonB: TestUser;
const mrn = uniqueMrn();
const today = todayIn('UTC');
// 80 days ago: the preop and 6w windows have closed, 3m's is open.
const surgeryDate = addDays(today, -80);
const sixWeeks = TIMEPOINT_WINDOWS.find((w) => w.code === '6w')!;
let overdueCase: Body;
let otherCase: Body;
let visit: Body;
let complication: Body;

async function send(method: string, path: string, token: string, body?: Body, headers: Body = {}): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

beforeAll(async () => {
  t = await startTestApp();
  base = `http://127.0.0.1:${(t.server.address() as { port: number }).port}`;
  [staff, surgeonA, surgeonB] = await Promise.all([
    t.factories.newUser({ role: 'registry_staff', displayName: 'Rita Registry' }),
    t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ada Overdue' }),
    t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ben Other' }),
  ]);
  // Staff log both hips of one patient, one for each surgeon.
  overdueCase = await send(
    'POST',
    '/api/v1/cases',
    staff.token,
    newCaseBody({
      surgeonId: surgeonA.id,
      surgeryDate,
      side: 'left',
      patient: { mrn, birthDate: '1994-02-03', sex: 'female' },
    }),
  );
  const { patient: _patient, ...rest } = newCaseBody({ surgeonId: surgeonB.id, surgeryDate, side: 'right' });
  otherCase = await send('POST', '/api/v1/cases', staff.token, { ...rest, patientId: overdueCase.patientId });
  // The other case has its 6w visit (without snapping: missing registry data) and a complication.
  visit = await send('POST', `/api/v1/cases/${otherCase.id}/follow-ups`, surgeonB.token, {
    visitDate: addDays(surgeryDate, sixWeeks.target),
    contactMode: 'clinic',
    groinPain: 3,
  });
  complication = await send('POST', `/api/v1/cases/${otherCase.id}/complications`, surgeonB.token, {
    type: 'persistent_groin_pain',
    onsetDate: addDays(surgeryDate, 30),
    sinkGrade: 1,
    description: 'Groin ache on stairs',
  });
  ({ context, page, pageErrors } = await launchBrowser({ width: 1024, height: 900 }));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

const checkPage = (name: string) => checkShared(page, name);

const rowsOf = (table: string) =>
  page
    .getByRole('table', { name: table })
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((row: any) => row.textContent.trim() as string));

async function typeDate(label: RegExp, date: string) {
  const input = page.getByRole('textbox', { name: label });
  await input.click();
  await input.pressSequentially(date);
}

describe('registry staff', () => {
  it('work through the overdue list to a case and add the missing follow-up, which leaves the list', async () => {
    await page.goto(`${base}/work-lists`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password', { exact: false }).first().fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/work-lists$/);
    await page.getByRole('heading', { name: 'Work lists', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Overdue follow-ups' }).locator('tbody tr').first().waitFor();

    // What the report says is on the page, in words.
    const report = await send('GET', '/api/v1/reports/data-quality', staff.token);
    const overdue = await rowsOf('Overdue follow-ups');
    expect(overdue).toHaveLength(report.overdue.length);
    const windowClosed = dateInWords(addDays(surgeryDate, sixWeeks.to));
    const sixWeekRow = (rows: string[]) =>
      rows.filter((r) => r.includes(overdueCase.registryCode) && r.includes(TIMEPOINT_LABELS['6w']));
    expect(sixWeekRow(overdue)).toHaveLength(1);
    expect(sixWeekRow(overdue)[0]).toContain(windowClosed);
    expect(overdue.some((r) => r.includes(otherCase.registryCode) && r.includes(TIMEPOINT_LABELS['6w']))).toBe(false);
    const missing = await rowsOf('Missing registry data');
    expect(missing.filter((r) => r.includes(otherCase.registryCode))).toHaveLength(1);
    expect(missing.join(' ')).toContain('Snapping');
    expect(overdue.join(' ')).not.toMatch(/\b6w\b|preop|[0-9a-f]{8}-[0-9a-f]{4}/);
    await checkPage('work-lists');

    // The surgeon filter lives in the address: filtered, reloaded, still filtered.
    await page.getByRole('combobox', { name: 'Surgeon' }).selectOption(surgeonA.id);
    await page.waitForURL(new RegExp(`surgeon=${surgeonA.id}`));
    await page.reload();
    await page.getByRole('table', { name: 'Overdue follow-ups' }).locator('tbody tr').first().waitFor();
    const filtered = await rowsOf('Overdue follow-ups');
    expect(filtered.length).toBe(report.overdue.filter((r: Body) => r.surgeonId === surgeonA.id).length);
    expect(filtered.every((r) => r.includes(overdueCase.registryCode))).toBe(true);
    await expect(rowsOf('Missing registry data')).resolves.toEqual(['No visit lacks registry-required data.']);
    await checkPage('work-lists-filtered');

    // To the case, and its 6w visit through the New follow-up page.
    await page
      .getByRole('table', { name: 'Overdue follow-ups' })
      .getByRole('link', { name: overdueCase.registryCode })
      .first()
      .click();
    await page.waitForURL(new RegExp(`/cases/${overdueCase.id}$`));
    await page.getByRole('heading', { name: overdueCase.registryCode }).waitFor();
    await page.getByRole('link', { name: 'Add follow-up' }).click();
    await page.getByRole('heading', { name: /^New follow-up/ }).waitFor();
    await typeDate(/^Visit date/, addDays(surgeryDate, sixWeeks.target));
    await page
      .getByTestId('live-timepoint')
      .filter({ hasText: `Timepoint: ${TIMEPOINT_LABELS['6w']}` })
      .waitFor();
    await page.getByRole('combobox', { name: /^Contact( \*)?$/ }).click();
    await page.getByRole('option', { name: 'Clinic', exact: true }).click();
    await page.getByRole('button', { name: 'Save follow-up' }).click();
    await page.getByRole('heading', { name: /^Follow-up saved/ }).waitFor();

    // Back to the work list (its filter kept in the address): the row has gone; preop's is still there.
    await page.goBack();
    await page.goBack();
    await page.waitForURL(new RegExp(`/work-lists\\?surgeon=${surgeonA.id}`));
    await page.getByRole('table', { name: 'Overdue follow-ups' }).locator('tbody tr').first().waitFor();
    await page.waitForFunction(
      (code) =>
        ![...(globalThis as any).document.querySelectorAll('table[aria-label="Overdue follow-ups"] tbody tr')].some(
          (row) => (row as any).textContent.includes(code) && (row as any).textContent.includes('6 weeks'),
        ),
      overdueCase.registryCode,
    );
    const after = await rowsOf('Overdue follow-ups');
    expect(sixWeekRow(after)).toEqual([]);
    expect(after.some((r) => r.includes(overdueCase.registryCode) && r.includes(TIMEPOINT_LABELS.preop))).toBe(true);
    const reportAfter = await send('GET', '/api/v1/reports/data-quality', staff.token);
    expect(reportAfter.overdue.some((r: Body) => r.caseId === overdueCase.id && r.timepoint === '6w')).toBe(false);
  });

  it("find a patient's cases by MRN, with each case's surgeon", async () => {
    await page.getByRole('link', { name: 'Cases', exact: true }).click();
    await page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Cases' }).getByRole('columnheader', { name: 'Surgeon' }).waitFor();

    await page.getByRole('textbox', { name: /^Patient MRN/ }).fill('NO-SUCH-MRN');
    await page.getByRole('button', { name: 'Find by MRN' }).click();
    await page
      .getByTestId('mrn-outcome')
      .filter({ hasText: 'No registered patient has the MRN NO-SUCH-MRN' })
      .waitFor();

    await page.getByRole('textbox', { name: /^Patient MRN/ }).fill(mrn);
    await page.getByRole('button', { name: 'Find by MRN' }).click();
    await page
      .getByTestId('mrn-outcome')
      .filter({ hasText: `The cases of patient ${mrn}, born 3 February 1994` })
      .waitFor();
    await page.waitForFunction(
      () => (globalThis as any).document.querySelectorAll('table[aria-label="Cases"] tbody tr').length === 2,
    );
    const rows = await rowsOf('Cases');
    expect(rows.map((r) => r.slice(0, otherCase.registryCode.length)).sort()).toEqual(
      [overdueCase.registryCode, otherCase.registryCode].sort(),
    );
    // Two surgeons, told apart (staff may not list users: by letter).
    const surgeons = await page
      .getByRole('table', { name: 'Cases' })
      .locator('tbody tr td:nth-child(2)')
      .allTextContents();
    expect(new Set(surgeons).size).toBe(2);
    await checkPage('cases-staff');
  });

  it('correct a follow-up and a complication, a 412 reloaded on the way; the history shows the changes', async () => {
    await page.getByRole('table', { name: 'Cases' }).getByRole('link', { name: otherCase.registryCode }).click();
    await page.waitForURL(new RegExp(`/cases/${otherCase.id}$`));
    await page.getByRole('table', { name: 'Follow-ups' }).waitFor();

    // The follow-up: groin pain 3 → 5, snapping recorded.
    await page.getByRole('link', { name: new RegExp(`^Edit the ${TIMEPOINT_LABELS['6w']} follow-up`) }).click();
    await page.waitForURL(new RegExp(`/follow-ups/${visit.id}/edit\\?case=${otherCase.id}$`));
    await page.getByRole('heading', { name: /^Correct a follow-up/ }).waitFor();
    const pain = page.getByRole('textbox', { name: /^Groin pain/ });
    await expect(pain.inputValue()).resolves.toBe('3');
    await checkPage('follow-up-edit');
    await pain.fill('5');
    await page.getByRole('combobox', { name: /^Snapping/ }).click();
    await page.getByRole('option', { name: SNAPPING.labels.none, exact: true }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(new RegExp(`/cases/${otherCase.id}$`));
    await page.getByText(/corrected\.$/).waitFor();
    const stored = await send('GET', `/api/v1/cases/${otherCase.id}`, staff.token);
    const corrected = stored.followUps.find((f: Body) => f.id === visit.id);
    expect(corrected.groinPain).toBe(5);
    expect(corrected.snapping).toBe('none');
    expect(corrected.version).toBeGreaterThan(visit.version);
    await page.getByRole('table', { name: 'History' }).waitFor();
    const history = await rowsOf('History');
    expect(history.some((r) => r.includes('Groin pain') && r.includes('3 → 5') && r.includes('Rita Registry'))).toBe(
      true,
    );

    // The complication: its description corrected, while someone else records its Clavien–Dindo grade.
    await page.getByRole('link', { name: /^Edit the complication/ }).click();
    await page.waitForURL(new RegExp(`/complications/${complication.id}/edit\\?case=${otherCase.id}$`));
    await page.getByRole('heading', { name: /^Correct a complication/ }).waitFor();
    const description = page.getByRole('textbox', { name: /^Description/ });
    await expect(description.inputValue()).resolves.toBe('Groin ache on stairs');
    await checkPage('complication-edit');
    await description.fill('Groin ache on stairs and on rising from a chair');
    await send(
      'PATCH',
      `/api/v1/complications/${complication.id}`,
      surgeonB.token,
      { clavienDindo: 'I' },
      { 'If-Match': `"${complication.version}"` },
    );
    await page.getByRole('button', { name: 'Save changes' }).click();
    const stale = page.getByRole('alert').filter({ hasText: 'The complication changed meanwhile' });
    await stale.waitFor();
    await checkPage('complication-edit-stale');
    await page.getByRole('button', { name: 'Reload the complication' }).click();
    await stale.waitFor({ state: 'detached' });
    // What was typed is kept over the reloaded complication.
    await expect(description.inputValue()).resolves.toBe('Groin ache on stairs and on rising from a chair');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(new RegExp(`/cases/${otherCase.id}$`));
    await page.getByText(/corrected\.$/).waitFor();
    const after = await send('GET', `/api/v1/cases/${otherCase.id}`, staff.token);
    const saved = after.complications.find((c: Body) => c.id === complication.id);
    expect(saved.description).toBe('Groin ache on stairs and on rising from a chair');
    expect(saved.clavienDindo).toBe('I');
    await page.getByRole('table', { name: 'History' }).waitFor();
    await page.waitForFunction(() =>
      [...(globalThis as any).document.querySelectorAll('table[aria-label="History"] tbody tr')].some((row) =>
        (row as any).textContent.includes('rising from a chair'),
      ),
    );
    const rows = await rowsOf('History');
    expect(rows.some((r) => r.includes('Groin ache on stairs → Groin ache on stairs and on rising from a chair'))).toBe(
      true,
    );
    await checkPage('case-corrected');
  });
});
