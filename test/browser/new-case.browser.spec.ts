import { jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// The New-case page in a real Chromium against the real server and PostgreSQL (as surgeon-cases.browser.spec.ts):
// fields appear only when they apply, the browser-side rules refuse an incomplete case before anything is sent,
// and axe-core finds no serious or critical violation on the form.
jest.setTimeout(60_000);

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let surgeon: TestUser;
let pageErrors: string[] = [];

async function checkPage(name: string): Promise<void> {
  await checkShared(page, name);
}

beforeAll(async () => {
  t = await startTestApp();
  const address = t.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  surgeon = await t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ada Form' });
  ({ context, page, pageErrors } = await launchBrowser({ width: 1024, height: 900 }));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

const choose = async (label: string, option: string) => {
  await page.getByRole('combobox', { name: new RegExp(`^${label}( \\*)?$`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};

describe('the New-case page', () => {
  it('shows the capsular level only for a capsular release and refuses an incomplete case before sending it', async () => {
    await page.goto(`${base}/cases/new`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(surgeon.email);
    await page.getByLabel('Password', { exact: false }).first().fill(surgeon.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/cases\/new$/);
    await page.getByRole('heading', { name: 'New case' }).waitFor();
    await expect(page.getByRole('combobox', { name: /^Capsular level( \*)?$/ }).count()).resolves.toBe(0);

    await choose('Release location', 'Capsular (transcapsular)');
    await page.getByRole('combobox', { name: /^Capsular level( \*)?$/ }).waitFor();
    await choose('Release location', 'At the lesser trochanter');
    await page.getByRole('combobox', { name: /^Capsular level( \*)?$/ }).waitFor({ state: 'detached' });

    let sent = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/v1/cases')) sent++;
    });
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'The case was not saved' }).waitFor();
    expect(sent).toBe(0);
    await checkPage('new-case');
  });
});
