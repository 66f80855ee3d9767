import { readFileSync } from 'node:fs';
import { jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// The quality-review dashboard in a real Chromium against the real server and PostgreSQL: a reviewer opens it with
// filters in the URL, the tables show the reports' figures, the CSV download holds the numbers of the report's JSON,
// and the anonymised view names no surgeon (neither display name nor id) anywhere on the page.
jest.setTimeout(120_000);

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let reviewer: TestUser;
const surgeons: Array<TestUser & { displayName: string }> = [];
let pageErrors: string[] = [];

async function send(method: string, path: string, token: string, body?: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path} failed with ${response.status}: ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

async function checkPage(name: string): Promise<void> {
  await checkShared(page, name);
}

beforeAll(async () => {
  t = await startTestApp();
  base = `http://127.0.0.1:${(t.server.address() as { port: number }).port}`;
  reviewer = await t.factories.newUser({ role: 'quality_reviewer', displayName: 'Dr Rita Review' });
  for (const displayName of ['Dr Alma Capsule', 'Dr Bruno Trochanter'])
    surgeons.push({ ...(await t.factories.newUser({ role: 'surgeon', displayName })), displayName });
  // Six cases each, in 2024, half capsular; one recurrence (with a reoperation) for the first surgeon.
  for (const [s, surgeon] of surgeons.entries()) {
    for (let i = 0; i < 6; i++) {
      const capsular = i % 2 === 0;
      const created = await send(
        'POST',
        '/api/v1/cases',
        surgeon.token,
        newCaseBody({
          surgeryDate: `2024-0${1 + i}-1${s}`,
          ...(capsular
            ? {}
            : { release: { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 } }),
        }),
      );
      if (s === 0 && i === 0)
        await send('POST', `/api/v1/cases/${created.id}/complications`, surgeon.token, {
          type: 'recurrent_snapping',
          onsetDate: '2024-05-01',
          recurrenceCause: 'incomplete_release',
          sinkGrade: 3,
          reoperation: { date: '2024-06-01', procedure: 'revision_release' },
        });
    }
  }
  ({ context, page, pageErrors } = await launchBrowser({ width: 1280, height: 900 }));
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email').fill(reviewer.email);
  await page.getByLabel('Password', { exact: false }).first().fill(reviewer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

const section = (name: string | RegExp) => page.getByRole('region', { name });

describe('the quality-review dashboard', () => {
  it('opens with the filters of its URL and shows the reports’ figures', async () => {
    await page.goto(`${base}/review?from=2024-01-01&to=2024-12-31&groupBy=releaseLocation&outcome=recurrence_1y`);
    await page.getByRole('heading', { name: 'Quality review' }).waitFor();
    await expect(page.getByLabel('Surgery from').inputValue()).resolves.toBe('2024-01-01');
    await expect(page.getByLabel('Group by').inputValue()).resolves.toBe('releaseLocation');
    const outcomes = section('Outcomes by group');
    await outcomes.getByRole('table').waitFor();
    const report = await send(
      'GET',
      '/api/v1/reports/outcomes?from=2024-01-01&to=2024-12-31&groupBy=releaseLocation',
      reviewer.token,
    );
    const header = await outcomes.getByRole('table').locator('thead').innerText();
    for (const group of report.groups) expect(header).toContain(`(n = ${group.cases})`);

    const funnel = section('Funnel plot: recurrence within 1 year');
    await funnel.getByRole('table').locator('tbody tr').first().waitFor();
    const funnelReport = await send(
      'GET',
      '/api/v1/reports/funnel?from=2024-01-01&to=2024-12-31&outcome=recurrence_1y',
      reviewer.token,
    );
    await expect(funnel.getByRole('table').locator('tbody tr').count()).resolves.toBe(funnelReport.surgeons.length);
    for (const endpoint of ['recurrence', 'reoperation', 'conversion'])
      await section(new RegExp(`^Survivorship: free of ${endpoint}`))
        .getByRole('table')
        .waitFor();
    await section(/^CUSUM per surgeon/)
      .getByRole('table')
      .locator('tbody tr')
      .first()
      .waitFor();
    await checkPage('review-dashboard');
  });

  it('downloads each report as CSV with the numbers of its JSON', async () => {
    const funnel = section('Funnel plot: recurrence within 1 year');
    const download = page.waitForEvent('download');
    await funnel.getByRole('button', { name: 'Download the recurrence within 1 year funnel report as CSV' }).click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    const json = await send(
      'GET',
      '/api/v1/reports/funnel?from=2024-01-01&to=2024-12-31&outcome=recurrence_1y',
      reviewer.token,
    );
    for (const s of json.surgeons) {
      expect(csv).toContain(String(s.cases));
      expect(csv).toContain(String(s.events));
    }
    // A CUSUM's figures are one surgeon's: the row's download is that surgeon's CSV.
    const first = json.surgeons[0];
    const cusumDownload = page.waitForEvent('download');
    await section(/^CUSUM per surgeon/)
      .getByRole('button', { name: `Download the CUSUM of ${first.surgeonLabel} as CSV` })
      .click();
    const cusumCsv = readFileSync((await (await cusumDownload).path())!, 'utf8');
    const cusumDirect = await fetch(
      `${base}/api/v1/reports/cusum?from=2024-01-01&to=2024-12-31&outcome=recurrence_1y&surgeonId=${first.surgeonId}&format=csv`,
      { headers: { authorization: `Bearer ${reviewer.token}` } },
    );
    expect(cusumDirect.status).toBe(200);
    expect(cusumCsv).toBe(await cusumDirect.text());
    const direct = await fetch(
      `${base}/api/v1/reports/funnel?from=2024-01-01&to=2024-12-31&outcome=recurrence_1y&format=csv`,
      { headers: { authorization: `Bearer ${reviewer.token}` } },
    );
    expect(csv).toBe(await direct.text());
  });

  it('names surgeons by display name to a reviewer, never by id', async () => {
    await page.goto(`${base}/review?groupBy=surgeon`);
    await section('Funnel plot: recurrence within 1 year').getByRole('table').locator('tbody tr').first().waitFor();
    await section('Outcomes by group').getByRole('table').waitFor();
    const text = await page.locator('main').innerText();
    for (const surgeon of surgeons) {
      expect(text).toContain(surgeon.displayName);
      expect(text).not.toContain(surgeon.id);
    }
  });

  it('names no surgeon anywhere when anonymised', async () => {
    await page.goto(`${base}/review?groupBy=surgeon&anonymise=true`);
    await page.getByRole('heading', { name: 'Quality review' }).waitFor();
    await section('Funnel plot: recurrence within 1 year').getByRole('table').locator('tbody tr').first().waitFor();
    await section('Outcomes by group').getByRole('table').waitFor();
    await page.waitForLoadState('networkidle');
    const html = await page.content();
    for (const surgeon of surgeons) {
      expect(html).not.toContain(surgeon.displayName);
      expect(html).not.toContain(surgeon.id);
    }
    // A CUSUM per surgeon even so, each under its label.
    const cusumRows = section(/^CUSUM per surgeon/)
      .getByRole('table')
      .locator('tbody tr');
    // The surgeons of the funnel (those with evaluable cases), as the anonymised funnel labels them.
    const anonymisedFunnel = await send(
      'GET',
      '/api/v1/reports/funnel?outcome=complication_90d&anonymise=true',
      reviewer.token,
    );
    const expectedLabels = anonymisedFunnel.surgeons.map((s: { surgeonLabel: string }) => s.surgeonLabel).sort();
    expect(expectedLabels.length).toBeGreaterThan(0);
    await page.waitForFunction(
      (n) => (globalThis as any).document.querySelectorAll('section[aria-label^="CUSUM"] tbody tr').length === n,
      expectedLabels.length,
    );
    await page.waitForFunction(() => !(globalThis as any).document.body.innerText.includes('Surgeon (loading)'));
    const labels = (await cusumRows.locator('th').allInnerTexts()).sort();
    expect(labels).toEqual(expectedLabels);
    await page.waitForFunction(
      () => (globalThis as any).document.querySelectorAll('[data-chart-status="loading"]').length === 0,
    );
    const rendered = await page.content();
    for (const surgeon of surgeons) {
      expect(rendered).not.toContain(surgeon.displayName);
      expect(rendered).not.toContain(surgeon.id);
    }
    await checkPage('review-anonymised');
  });

  it('opens the printable page of a report for the same filters', async () => {
    const popup = page.waitForEvent('popup');
    await section('Funnel plot: complication within 90 days')
      .getByRole('button', { name: 'Printable complication within 90 days funnel report' })
      .click();
    const printable = await popup;
    const errors: string[] = [];
    printable.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) errors.push(m.text());
    });
    await printable.waitForLoadState('load');
    await printable.locator('svg').first().waitFor();
    const html = await printable.content();
    const anonymised = await send(
      'GET',
      '/api/v1/reports/funnel?outcome=complication_90d&anonymise=true',
      reviewer.token,
    );
    for (const s of anonymised.surgeons) expect(html).toContain(s.surgeonLabel);
    for (const surgeon of surgeons) expect(html).not.toContain(surgeon.id);
    // The page's own styles apply (its <style> carries this page's nonce): headings are not the browser default.
    const size = await printable
      .locator('h1')
      .first()
      .evaluate((h) => (globalThis as any).getComputedStyle(h).fontSize);
    expect(size).toBe('20px');
    await checkShared(printable, 'review-print-funnel');
    expect(errors).toEqual([]);
    await printable.close();

    // The survivorship page too: the same Kaplan–Meier definition, drawn as SVG by the server.
    const popup2 = page.waitForEvent('popup');
    await section(/^Survivorship: free of recurrence/)
      .getByRole('button', { name: 'Printable free of recurrence survivorship' })
      .click();
    const survivalPage = await popup2;
    await survivalPage.waitForLoadState('load');
    await survivalPage.locator('svg').first().waitFor();
    expect(await survivalPage.locator('svg[role="img"]').count()).toBeGreaterThan(0);
    await checkShared(survivalPage, 'review-print-survival');
    await survivalPage.close();
  });
});
