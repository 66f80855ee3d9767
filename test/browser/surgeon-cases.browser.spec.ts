import { jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';
import { overdueText } from '../../apps/web/src/logic/overdue.js';

// The web front end in a real Chromium (Debian's, /usr/bin/chromium; .ci/run installs it) against the real server
// (startTestApp listens on a real port and serves the built pages from dist/web: `npm test` builds them first) on a
// real PostgreSQL. A surgeon signs in, finds their cases, filters, pages through them, reloads, loses the session
// mid-work and comes back, and signs out. axe-core checks every page; each page is saved as a screenshot under
// test-artefacts/screenshots (git-ignored).
jest.setTimeout(60_000);

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let surgeon: TestUser;
let pageErrors: string[] = [];

async function createCase(token: string, body: Record<string, unknown>): Promise<{ id: string; registryCode: string }> {
  const response = await fetch(`${base}/api/v1/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(newCaseBody(body)),
  });
  if (response.status !== 201)
    throw new Error(`creating a case failed with ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string; registryCode: string };
}

async function checkPage(name: string): Promise<void> {
  await checkShared(page, name);
}

const rows = () => page.getByRole('table', { name: 'My cases' }).locator('tbody tr');

// Functions run inside the page (page.evaluate) reach the browser's globals through globalThis: this file is
// type-checked without the DOM library.

async function waitRows(count: number): Promise<void> {
  await page.waitForFunction(
    (n) => (globalThis as any).document.querySelectorAll('table tbody tr').length === n,
    count,
  );
}

beforeAll(async () => {
  t = await startTestApp();
  const address = t.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  surgeon = await t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ada Browser' });
  const other = await t.factories.newSurgeon();
  // 12 cases of this surgeon: 4 on the left, the first 3 signed; and one of another surgeon's, never listed.
  for (let i = 0; i < 12; i++) {
    const created = await createCase(surgeon.token, {
      surgeryDate: `2025-0${1 + (i % 9)}-1${i % 10}`,
      side: i < 4 ? 'left' : 'right',
    });
    if (i < 3) {
      const signed = await fetch(`${base}/api/v1/cases/${created.id}/sign`, {
        method: 'POST',
        headers: { authorization: `Bearer ${surgeon.token}` },
      });
      expect(signed.status).toBe(200);
    }
  }
  await createCase(other.token, { side: 'left' });

  ({ context, page, pageErrors } = await launchBrowser());
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

describe('a surgeon in the browser', () => {
  it('is sent to sign-in, and a wrong password is refused in words', async () => {
    await page.goto(`${base}/cases`);
    await page.waitForURL(/\/sign-in\?next=%2Fcases$/);
    await page.getByRole('heading', { name: 'Sign in to the ILR Registry' }).waitFor();
    await checkPage('sign-in');
    await page.getByLabel('Email').fill(surgeon.email);
    await page.getByLabel('Password', { exact: false }).first().fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain('Sign-in failed');
    // The problem's detail, in words: not a status code or a raw error.
    expect(text).toContain('The email or password is not correct.');
    expect(text).not.toMatch(/\b401\b|problem\+json|undefined|\[object/);
    await checkPage('sign-in-refused');
  });

  it('signs in and sees their own cases, in words, drafts marked', async () => {
    await page.getByLabel('Password', { exact: false }).first().fill(surgeon.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/cases`);
    await rows().first().waitFor();
    await expect(page.getByTestId('signed-in-user').innerText()).resolves.toContain('Dr Ada Browser');
    await expect(page.getByRole('link', { name: 'My cases' }).isVisible()).resolves.toBe(true);
    expect(await rows().count()).toBe(12);
    const table = await page.getByRole('table', { name: 'My cases' }).innerText();
    expect(table).toContain('Right');
    expect(table).toContain('Capsular');
    expect(table).toContain('Performed');
    expect(table).not.toMatch(/\bright\b|\bcapsular\b|\bdraft\b|\bsigned\b/);
    // 9 drafts carry the marker; the 3 signed cases do not.
    expect(
      await page.getByRole('table', { name: 'My cases' }).locator('.mantine-Badge-root', { hasText: 'Draft' }).count(),
    ).toBe(9);
    // The token is in sessionStorage, never in localStorage.
    const stored = await page.evaluate(() => ({
      local: Object.keys((globalThis as any).localStorage),
      session: Object.keys((globalThis as any).sessionStorage),
    }));
    expect(stored.local.filter((k) => k.startsWith('ilr'))).toEqual([]);
    expect(stored.session).toContain('ilr.session');
    await checkPage('my-cases');
  });

  it('filters by side and by status, and clears the filters', async () => {
    await page.getByLabel('Side').selectOption({ label: 'Left' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitRows(4);
    for (const row of await rows().all()) expect(await row.locator('td').nth(2).innerText()).toBe('Left');

    await page.getByLabel('Status').selectOption({ label: 'Signed' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitRows(3);
    for (const row of await rows().all()) expect(await row.locator('td').nth(5).innerText()).toBe('Signed');
    await checkPage('my-cases-filtered');

    await page.getByLabel('Surgery from').fill('2030-01-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No cases match these filters.').waitFor();

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitRows(12);

    // Search by registry code: the API's prefix search.
    const code = (await rows().first().locator('td').first().innerText()).trim();
    await page.getByLabel('Registry code').fill(code);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitRows(1);
    expect(await rows().first().locator('td').first().innerText()).toBe(code);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitRows(12);
  });

  it('pages through the cases with the cursor', async () => {
    await page.getByLabel('Rows per page').selectOption('10');
    await waitRows(10);
    const first = await rows().allInnerTexts();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    await waitRows(2);
    const second = await rows().allInnerTexts();
    expect(second.filter((row) => first.includes(row))).toEqual([]);
    await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await waitRows(10);
    expect(await rows().allInnerTexts()).toEqual(first);
  });

  it('reloads a client route and an unknown page cleanly', async () => {
    await page.reload();
    await rows().first().waitFor();
    expect(page.url()).toBe(`${base}/cases`);
    await page.goto(`${base}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await checkPage('not-found');
    // Unknown API paths stay problem+json 404s.
    const api = await page.request.get(`${base}/api/v1/no-such-thing`);
    expect(api.status()).toBe(404);
    expect(api.headers()['content-type']).toContain('application/problem+json');
  });

  it('signs in again when the session is refused mid-work, and comes back to the same page', async () => {
    await page.goto(`${base}/cases?from=x`);
    await rows().first().waitFor();
    // The server no longer accepts the token (as when it expires): the next request is a 401.
    await page.evaluate(() => {
      const session = JSON.parse((globalThis as any).sessionStorage.getItem('ilr.session')!);
      (globalThis as any).sessionStorage.setItem(
        'ilr.session',
        JSON.stringify({ ...session, token: 'expired.token.value' }),
      );
    });
    await page.reload();
    await page.waitForURL(/\/sign-in\?next=%2Fcases%3Ffrom%3Dx$/);
    await page.getByText('Your session has expired').waitFor();
    await page.getByLabel('Email').fill(surgeon.email);
    await page.getByLabel('Password', { exact: false }).first().fill(surgeon.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/cases?from=x`);
    await rows().first().waitFor();
  });

  it('marks a case with an overdue follow-up, in words, and links each registry code to its case', async () => {
    // Set up through the API: surgery long ago without visits (every window closed), and surgery today (none).
    const overdue = await createCase(surgeon.token, { surgeryDate: '2019-02-11', side: 'right' });
    const current = await createCase(surgeon.token, {
      surgeryDate: new Date().toISOString().slice(0, 10),
      side: 'right',
    });
    const read = async (id: string) =>
      (await (
        await fetch(`${base}/api/v1/cases/${id}`, { headers: { authorization: `Bearer ${surgeon.token}` } })
      ).json()) as { overdueTimepoints: string[] };
    const expected = overdueText((await read(overdue.id)).overdueTimepoints);
    expect(expected).toContain('6 weeks');
    expect((await read(current.id)).overdueTimepoints).toEqual([]);

    await page.goto(`${base}/cases`);
    await rows().first().waitFor();
    await page.getByLabel('Registry code').fill(overdue.registryCode);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('cell', { name: overdue.registryCode }).waitFor();
    await waitRows(1);
    const marker = rows().first().getByTestId('overdue');
    await expect(marker.innerText()).resolves.toBe(expected);
    await checkPage('my-cases-overdue');

    await page.getByLabel('Registry code').fill(current.registryCode);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('cell', { name: current.registryCode }).waitFor();
    await waitRows(1);
    await expect(rows().first().getByTestId('overdue').count()).resolves.toBe(0);
    await expect(rows().first().locator('td').nth(6).innerText()).resolves.toBe('—');

    const link = rows().first().getByRole('link', { name: current.registryCode });
    await expect(link.getAttribute('href')).resolves.toBe(`/cases/${current.id}`);
    await link.click();
    await page.waitForURL(`${base}/cases/${current.id}`);
    // The page size may come with the link.
    await page.goto(`${base}/cases?limit=10`);
    await waitRows(10);
    await expect(page.getByLabel('Rows per page').inputValue()).resolves.toBe('10');
  });

  it('signs out: the session and every draft in sessionStorage are gone', async () => {
    await page.evaluate(() => (globalThis as any).sessionStorage.setItem('ilr.draft.test', '{"mrn":"X"}'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/sign-in`);
    const left = await page.evaluate(() =>
      Object.keys((globalThis as any).sessionStorage).filter((k) => k.startsWith('ilr.')),
    );
    expect(left).toEqual([]);
    await page.goto(`${base}/cases`);
    await page.waitForURL(/\/sign-in/);
  });
});
