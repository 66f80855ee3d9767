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

  it('finds a registered patient by MRN and fills in their details; an unknown MRN registers a new one', async () => {
    const registered = await fetch(`${base}/api/v1/patients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${surgeon.token}` },
      body: JSON.stringify({ mrn: 'FIND-ME-0042', birthDate: '1987-04-23', sex: 'female' }),
    });
    expect(registered.status).toBe(201);
    await page.goto(`${base}/cases/new`);
    await page.getByRole('heading', { name: 'New case' }).waitFor();
    const mrn = page.getByRole('textbox', { name: /^Medical record number \(MRN\)( \*)?$/ });
    const findPatient = page.getByRole('button', { name: 'Find patient' });
    await expect(findPatient.isDisabled()).resolves.toBe(true);

    await mrn.fill('FIND-ME-0042');
    await findPatient.click();
    await page.getByText('A registered patient has this MRN').waitFor();
    await page.getByText('Born 23 April 1987, female.', { exact: false }).waitFor();
    await expect(page.getByRole('textbox', { name: /^Date of birth( \*)?$/ }).inputValue()).resolves.toBe('1987-04-23');
    await expect(page.getByRole('combobox', { name: /^Sex( \*)?$/ }).inputValue()).resolves.toBe('Female');
    await checkPage('new-case-patient-found');

    // Another MRN typed: the earlier answer goes; this one is nobody's.
    await mrn.fill('NOBODY-0001');
    await expect(page.getByText('A registered patient has this MRN').count()).resolves.toBe(0);
    await findPatient.click();
    await page.getByText('No registered patient has this MRN').waitFor();
    await page.getByRole('button', { name: 'Discard' }).click();
  });
});
