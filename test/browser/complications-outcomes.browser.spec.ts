import { jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import {
  addDays,
  BROOKER_GRADE,
  COMPLICATION_TYPE,
  RECURRENCE_CAUSE,
  REOPERATION_PROCEDURE,
  SINK_GRADE,
  todayIn,
} from '@ilr/clinical';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// Complications on a case and the surgeon's own outcomes, in a real Chromium against the real server and
// PostgreSQL (as surgeon-cases.browser.spec.ts): the complication form shows only what applies, refuses what
// the server would refuse before sending, saves what the server then holds; My outcomes shows the figures the
// outcomes report gives this surgeon.
jest.setTimeout(90_000);

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let surgeon: TestUser;
let pageErrors: string[] = [];
let capsularCase: { id: string; registryCode: string };

type Body = Record<string, unknown>;

async function send(method: string, path: string, token: string, body?: Body): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path} failed with ${response.status}: ${await response.text()}`);
  return response.json();
}

const MHHS_POOR = {
  pain: 'moderate',
  limp: 'slight',
  support: 'none',
  distance: 'six_blocks',
  stairs: 'normally_with_railing',
  shoesSocks: 'with_difficulty',
  sitting: 'high_chair_half_hour',
  publicTransport: 'able',
};
const MHHS_GOOD = {
  ...MHHS_POOR,
  pain: 'none',
  limp: 'none',
  distance: 'unlimited',
  stairs: 'normally_without_railing',
};

async function checkPage(name: string): Promise<void> {
  await checkShared(page, name);
}

const combobox = (label: string) => page.getByRole('combobox', { name: new RegExp(`^${label}( \\*)?$`) });
const choose = async (label: string, option: string) => {
  await combobox(label).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};
const dateInput = (label: string) => page.getByRole('textbox', { name: new RegExp(`^${label}( \\*)?$`) });
const typeDate = async (label: string, date: string) => {
  await dateInput(label).fill(date);
  await dateInput(label).press('Tab');
};
// What a control's description and error say (Mantine links both through aria-describedby).
const errorsAt = async (control: ReturnType<Page['getByRole']>) => {
  const described = (await control.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(
    described
      .split(' ')
      .filter(Boolean)
      .map((id) => page.locator(`[id="${id}"]`).innerText()),
  );
  return texts.join(' ');
};
const brookerGroup = () => page.getByRole('radiogroup', { name: /^Brooker grade/ });

beforeAll(async () => {
  t = await startTestApp();
  const address = t.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  surgeon = await t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ada Outcomes' });
  const other = await t.factories.newSurgeon();

  // A capsular release with visits before surgery, at 6 weeks, 3 months and 1 year (mHHS before and at 1 year).
  capsularCase = await send('POST', '/api/v1/cases', surgeon.token, newCaseBody({ surgeryDate: '2025-03-14' }));
  for (const [visitDate, mhhs] of [
    ['2025-03-01', MHHS_POOR],
    ['2025-04-25', null],
    ['2025-06-13', null],
    ['2026-03-14', MHHS_GOOD],
  ] as const)
    await send('POST', `/api/v1/cases/${capsularCase.id}/follow-ups`, surgeon.token, {
      visitDate,
      contactMode: 'clinic',
      ...(mhhs ? { proms: { mhhs } } : {}),
    });
  // Two lesser-trochanter releases, one with a deep vein thrombosis recorded through the API.
  for (const surgeryDate of ['2025-05-10', '2025-08-20']) {
    const lesser = await send(
      'POST',
      '/api/v1/cases',
      surgeon.token,
      newCaseBody({
        surgeryDate,
        release: { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 },
      }),
    );
    if (surgeryDate === '2025-05-10')
      await send('POST', `/api/v1/cases/${lesser.id}/complications`, surgeon.token, {
        type: 'deep_vein_thrombosis',
        onsetDate: '2025-05-20',
        sinkGrade: 2,
      });
  }
  // Another surgeon's case and recurrence: never in this surgeon's outcomes.
  const theirs = await send('POST', '/api/v1/cases', other.token, newCaseBody({ surgeryDate: '2025-02-01' }));
  await send('POST', `/api/v1/cases/${theirs.id}/complications`, other.token, {
    type: 'recurrent_snapping',
    onsetDate: '2025-04-01',
    recurrenceCause: 'unknown',
    sinkGrade: 2,
  });

  ({ context, page, pageErrors } = await launchBrowser({ width: 1024, height: 900 }));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

describe('complications in the browser', () => {
  it('shows the Brooker grade only for heterotopic ossification, with every grade described', async () => {
    await page.goto(`${base}/cases/${capsularCase.id}/complications/new`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(surgeon.email);
    await page.getByLabel('Password', { exact: false }).first().fill(surgeon.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/cases/${capsularCase.id}/complications/new$`));
    await page.getByRole('heading', { name: 'New complication' }).waitFor();
    await page.getByText(`Case ${capsularCase.registryCode}`).waitFor();

    await expect(brookerGroup().count()).resolves.toBe(0);
    await expect(combobox('Cause of the recurrence').count()).resolves.toBe(0);
    await choose('Complication', COMPLICATION_TYPE.labels.heterotopic_ossification);
    await brookerGroup().waitFor();
    for (const code of BROOKER_GRADE.codes)
      await expect(brookerGroup().getByText(BROOKER_GRADE.labels[code], { exact: true }).isVisible()).resolves.toBe(
        true,
      );
    for (const code of SINK_GRADE.codes)
      await expect(page.getByText(SINK_GRADE.labels[code], { exact: true }).isVisible()).resolves.toBe(true);
    await expect(combobox('Cause of the recurrence').count()).resolves.toBe(0);
    await checkPage('complication-form');
  });

  it('refuses an onset before the surgery at its field, sending nothing', async () => {
    let sent = 0;
    const count = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST' && request.url().endsWith('/complications')) sent++;
    };
    page.on('request', count);
    await typeDate('Date of onset', '2025-03-01');
    await page.getByRole('radio', { name: BROOKER_GRADE.labels['2'] }).check();
    await page.getByRole('radio', { name: SINK_GRADE.labels['2'] }).check();
    await page.getByRole('button', { name: 'Save the complication' }).click();
    await page.getByRole('alert').filter({ hasText: 'The complication was not saved' }).waitFor();
    const onset = dateInput('Date of onset');
    await expect(errorsAt(onset)).resolves.toContain('Date of onset must be on or after the surgery date.');
    await expect(onset.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(sent).toBe(0);
    page.off('request', count);
  });

  it('saves heterotopic ossification and shows it in words; the case then has it', async () => {
    await dateInput('Date of onset').fill('');
    await typeDate('Date of onset', '2025-05-01');
    await choose('Found at visit', '6 weeks visit, 25 April 2025');
    await page.getByRole('button', { name: 'Save the complication' }).click();
    await page.getByRole('heading', { name: 'Complication saved' }).waitFor();
    const saved = await page.getByRole('table', { name: 'Saved complication' }).innerText();
    expect(saved).toContain(COMPLICATION_TYPE.labels.heterotopic_ossification);
    expect(saved).toContain(BROOKER_GRADE.labels['2']);
    expect(saved).toContain(SINK_GRADE.labels['2']);
    expect(saved).toContain('1 May 2025 (day 48 after surgery)');
    expect(saved).toContain('6 weeks visit, 25 April 2025');
    expect(saved).not.toMatch(/heterotopic_ossification|\b\d{4}-\d{2}-\d{2}\b/);
    await expect(page.getByRole('link', { name: 'Back to the case' }).getAttribute('href')).resolves.toBe(
      `/cases/${capsularCase.id}`,
    );
    await checkPage('complication-saved');

    const record = await send('GET', `/api/v1/cases/${capsularCase.id}`, surgeon.token);
    const visit = record.followUps.find((f: { visitDate: string }) => f.visitDate === '2025-04-25');
    expect(record.complications).toEqual([
      expect.objectContaining({
        type: 'heterotopic_ossification',
        onsetDate: '2025-05-01',
        brookerGrade: 2,
        recurrenceCause: null,
        sinkGrade: 2,
        reoperation: null,
        followUpId: visit.id,
      }),
    ]);
  });

  it('adds a recurrence with its cause and a reoperation; the cause appears only for a recurrence', async () => {
    await page.getByRole('button', { name: 'Add another complication' }).click();
    await page.getByRole('heading', { name: 'New complication' }).waitFor();
    // A fresh form: the saved one left no draft behind.
    await expect(page.getByText('Draft restored').count()).resolves.toBe(0);
    await choose('Complication', COMPLICATION_TYPE.labels.recurrent_snapping);
    await combobox('Cause of the recurrence').waitFor();
    await expect(brookerGroup().count()).resolves.toBe(0);
    await choose('Cause of the recurrence', RECURRENCE_CAUSE.labels.incomplete_release);
    await typeDate('Date of onset', '2025-06-01');
    // A reload (or a session that ends mid-form) keeps what was typed, as a draft in sessionStorage.
    await page.waitForFunction(() =>
      Object.keys((globalThis as any).sessionStorage).some((k) => k.startsWith('ilr.draft:complication-form@')),
    );
    await page.reload();
    await page.getByText('Draft restored').waitFor();
    await expect(combobox('Complication').inputValue()).resolves.toBe(COMPLICATION_TYPE.labels.recurrent_snapping);
    await expect(combobox('Cause of the recurrence').inputValue()).resolves.toBe(
      RECURRENCE_CAUSE.labels.incomplete_release,
    );
    await expect(dateInput('Date of onset').inputValue()).resolves.toBe('2025-06-01');
    await page.getByRole('radio', { name: SINK_GRADE.labels['3'] }).check();
    await expect(dateInput('Date of reoperation').count()).resolves.toBe(0);
    await page.getByRole('radiogroup', { name: 'Reoperation' }).getByRole('radio', { name: 'Yes' }).check();
    await typeDate('Date of reoperation', '2025-06-20');
    await choose('Reoperation procedure', REOPERATION_PROCEDURE.labels.revision_release);
    await choose('Found at visit', '3 months visit, 13 June 2025');
    // A refusal only the server makes shows at its field, in words, typing kept. The workstation's clock runs three
    // days fast (Playwright's clock in the page): the browser takes a reoperation tomorrow as past, the server (the
    // registry's today) refuses it as in the future. Same rules on both sides; not the same today.
    await page.clock.setSystemTime(new Date(Date.now() + 3 * 86_400_000));
    // Cleared first: the calendar's latest date is the one of its last render.
    await typeDate('Date of reoperation', '');
    await typeDate('Date of reoperation', addDays(todayIn('UTC'), 1));
    const refusal = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith(`/cases/${capsularCase.id}/complications`),
    );
    await page.getByRole('button', { name: 'Save the complication' }).click();
    expect((await refusal).status()).toBe(400);
    await page.getByRole('alert').filter({ hasText: 'The complication was not saved' }).waitFor();
    await expect(errorsAt(dateInput('Date of reoperation'))).resolves.toContain(
      'Date of reoperation must not be in the future.',
    );
    await expect(combobox('Reoperation procedure').inputValue()).resolves.toBe(
      REOPERATION_PROCEDURE.labels.revision_release,
    );
    // The clock put right and the date corrected, it saves.
    await page.clock.setSystemTime(new Date());
    await typeDate('Date of reoperation', '2025-06-20');
    await page.getByRole('button', { name: 'Save the complication' }).click();
    await page.getByRole('heading', { name: 'Complication saved' }).waitFor();
    const saved = await page.getByRole('table', { name: 'Saved complication' }).innerText();
    expect(saved).toContain(COMPLICATION_TYPE.labels.recurrent_snapping);
    expect(saved).toContain(RECURRENCE_CAUSE.labels.incomplete_release);
    expect(saved).toContain(`${REOPERATION_PROCEDURE.labels.revision_release} on 20 June 2025`);
    expect(saved).toContain(SINK_GRADE.labels['3']);
    expect(saved).not.toContain('Brooker');

    const record = await send('GET', `/api/v1/cases/${capsularCase.id}`, surgeon.token);
    expect(record.complications).toHaveLength(2);
    expect(record.complications).toContainEqual(
      expect.objectContaining({
        type: 'recurrent_snapping',
        onsetDate: '2025-06-01',
        brookerGrade: null,
        recurrenceCause: 'incomplete_release',
        sinkGrade: 3,
        reoperation: { date: '2025-06-20', procedure: 'revision_release' },
      }),
    );
  });
});

describe('My outcomes in the browser', () => {
  const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
  const proportion = (p: { numerator: number; denominator: number; rate: number; lower95: number; upper95: number }) =>
    `${p.numerator} of ${p.denominator}: ${percent(p.rate)} (95% CI ${(p.lower95 * 100).toFixed(1)}–${(p.upper95 * 100).toFixed(1)}%)`;

  it("shows the outcomes report's figures for this surgeon, grouped by release location, and keeps the filters on reload", async () => {
    // The narrowest width the pages are made for.
    await page.setViewportSize({ width: 768, height: 900 });
    await page.goto(`${base}/outcomes`);
    await page.getByRole('heading', { name: 'My outcomes' }).waitFor();
    await page.getByLabel('Group by').selectOption({ label: 'Release location' });
    await page.getByRole('button', { name: 'Show outcomes' }).click();
    await page.waitForURL(/\/outcomes\?groupBy=releaseLocation$/);
    const table = page.getByRole('table', { name: 'My outcomes' });
    await table.locator('thead th[data-key="lesser_trochanter"]').waitFor();

    const report = await send(
      'GET',
      `/api/v1/reports/outcomes?groupBy=releaseLocation&surgeonId=${surgeon.id}`,
      surgeon.token,
    );
    expect(report.groups.map((g: { key: string }) => g.key)).toEqual(['capsular', 'lesser_trochanter']);
    const keys: string[] = await table
      .locator('thead th[data-key]')
      .evaluateAll((cells) => cells.map((c) => (c as any).getAttribute('data-key')));
    expect(keys).toEqual(report.groups.map((g: { key: string }) => g.key));
    const cell = (row: string, column: number) =>
      table.locator(`tbody tr[data-row="${row}"] td`).nth(column).innerText();
    for (const [column, group] of (report.groups as any[]).entries()) {
      await expect(cell('cases', column)).resolves.toBe(String(group.cases));
      await expect(cell('recurrence', column)).resolves.toBe(proportion(group.recurrence));
      await expect(cell('reoperation', column)).resolves.toBe(proportion(group.reoperation));
      const ho = group.complications.find((c: { type: string }) => c.type === 'heterotopic_ossification');
      await expect(cell('complication-heterotopic_ossification', column)).resolves.toBe(proportion(ho));
      const dvt = group.complications.find((c: { type: string }) => c.type === 'deep_vein_thrombosis');
      await expect(cell('complication-deep_vein_thrombosis', column)).resolves.toBe(proportion(dvt));
    }
    // The recurrence recorded above, and the mHHS change at 1 year of the capsular case, as the API computed them.
    expect(report.groups[0].recurrence.numerator).toBe(1);
    const change = report.groups[0].proms.mhhs.timepoints['1y'];
    expect(change.pairedN).toBe(1);
    await expect(cell('mhhs-1y-change', 0)).resolves.toBe(`+${change.meanChange.toFixed(1)} points (1 paired case)`);
    await expect(page.getByTestId('consent-note').innerText()).resolves.toContain(
      `All ${report.consent.cases} of your cases`,
    );
    const text = await table.innerText();
    expect(text).not.toMatch(/lesser_trochanter|heterotopic_ossification|\bnull\b|NaN|undefined/);
    await checkPage('my-outcomes');

    await page.reload();
    await table.locator('thead th[data-key="capsular"]').waitFor();
    await expect(page.getByLabel('Group by').inputValue()).resolves.toBe('releaseLocation');

    // A date range from the URL: only the lesser-trochanter cases operated from May 2025 on.
    await page.goto(`${base}/outcomes?from=2025-05-01&groupBy=releaseLocation`);
    await page.waitForFunction(
      () => (globalThis as any).document.querySelectorAll('table thead th[data-key]').length === 1,
    );
    const later = await send(
      'GET',
      `/api/v1/reports/outcomes?from=2025-05-01&groupBy=releaseLocation&surgeonId=${surgeon.id}`,
      surgeon.token,
    );
    expect(later.groups).toHaveLength(1);
    await expect(cell('cases', 0)).resolves.toBe(String(later.groups[0].cases));
    await expect(page.getByLabel('Surgery from').inputValue()).resolves.toBe('2025-05-01');
  });
});
