import { jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { startTestApp, TEST_ADMIN, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';
import { USER_ROLE_LABELS } from '../../apps/web/src/labels.js';

// The administrator's pages in a real Chromium against the real server (as surgeon-cases.browser.spec.ts): an
// admin lists and creates users (the new surgeon then signs in), changes a role, deactivates a user (who can then
// not sign in), meets the last-admin rule in words, and creates, uses and revokes a personal API token; a surgeon
// is refused the users page in words. axe-core checks every page state; screenshots under test-artefacts.
jest.setTimeout(90_000);

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let admin: TestUser;
let staff: TestUser;
let surgeon: TestUser;
let pageErrors: string[] = [];

interface ApiUser {
  id: string;
  email: string;
  displayName: string;
  role: keyof typeof USER_ROLE_LABELS;
  active: boolean;
}

const ADMIN_NAME = 'Dr Ada Admin';
const STAFF_NAME = 'Sam Staff';
const NEW_SURGEON = { name: 'Dr Nina New', email: 'nina.new@test.ilr', password: 'a-long-initial-password' };

async function checkPage(name: string): Promise<void> {
  await checkShared(page, name);
}

async function usersByApi(): Promise<ApiUser[]> {
  const response = await fetch(`${base}/api/v1/users?limit=500`, {
    headers: { authorization: `Bearer ${admin.token}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: ApiUser[] }).items;
}

const login = (email: string, password: string) =>
  fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });

const me = (token: string) => fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });

async function signIn(email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: false }).first().fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/sign-in`);
}

const usersTable = () => page.getByRole('table', { name: 'Users' });
const userRow = (name: string) => usersTable().locator('tbody tr', { hasText: name });
const dialog = () => page.getByRole('dialog');

async function waitForCell(name: string, column: number, text: string): Promise<void> {
  await userRow(name).locator('td').nth(column).getByText(text, { exact: true }).waitFor();
}

beforeAll(async () => {
  t = await startTestApp();
  const address = t.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  admin = await t.factories.newUser({ role: 'admin', displayName: ADMIN_NAME });
  staff = await t.factories.newUser({ role: 'registry_staff', displayName: STAFF_NAME });
  surgeon = await t.factories.newUser({ role: 'surgeon', displayName: 'Dr Sid Surgeon' });
  ({ context, page, pageErrors } = await launchBrowser());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

describe('administration in the browser', () => {
  it('refuses a surgeon the users page, in words', async () => {
    await page.goto(`${base}/admin/users`);
    await page.waitForURL(/\/sign-in\?next=/);
    await signIn(surgeon.email, surgeon.password);
    await page.waitForURL(`${base}/admin/users`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('Only administrators manage the registry’s users');
    expect(text).toContain(USER_ROLE_LABELS.surgeon);
    expect(text).not.toMatch(/\b403\b|forbidden|undefined/i);
    await expect(usersTable().count()).resolves.toBe(0);
    // The menu does not offer the page to a surgeon either.
    await expect(page.getByRole('link', { name: 'Users' }).count()).resolves.toBe(0);
    await checkPage('users-not-allowed');
    await signOut();
  });

  it('lists the users as the API has them, roles and states in words', async () => {
    await page.goto(`${base}/admin/users`);
    await signIn(admin.email, admin.password);
    await page.waitForURL(`${base}/admin/users`);
    await usersTable().locator('tbody tr').first().waitFor();
    const users = await usersByApi();
    expect(await usersTable().locator('tbody tr').count()).toBe(users.length);
    for (const user of users) {
      const cells = userRow(user.email).locator('td');
      await expect(cells.nth(0).innerText()).resolves.toContain(user.displayName);
      await expect(cells.nth(2).innerText()).resolves.toBe(USER_ROLE_LABELS[user.role]);
      await expect(cells.nth(3).innerText()).resolves.toBe(user.active ? 'Active' : 'Deactivated');
    }
    // Roles in words, never the API's codes (the test users' emails hold the codes).
    for (const role of await usersTable().locator('tbody tr td:nth-child(3)').allInnerTexts())
      expect(role).not.toMatch(/_|^admin$|^surgeon$/);
    await expect(userRow(ADMIN_NAME).innerText()).resolves.toContain('(you)');
    await checkPage('users');
  });

  it('creates a surgeon, showing the API’s field errors at their fields', async () => {
    await page.getByRole('combobox', { name: /^Role/ }).click();
    await page.getByRole('option', { name: USER_ROLE_LABELS.surgeon, exact: true }).click();
    await page.getByLabel(/^Display name/).fill(NEW_SURGEON.name);
    await page.getByLabel(/^Email/).fill('not-an-email');
    await page.getByLabel(/^Initial password/).fill(NEW_SURGEON.password);
    await page.getByRole('button', { name: 'Create the user' }).click();
    // The API refuses the address; its error shows at the Email field and the typing stays.
    await page.getByRole('alert').filter({ hasText: 'The user was not saved' }).waitFor();
    const email = page.getByLabel(/^Email/);
    await expect(email.getAttribute('aria-invalid')).resolves.toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby')) ?? '';
    const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
    expect(errorId).toBeDefined();
    await expect(page.locator(`[id="${errorId}"]`).innerText()).resolves.toMatch(/\S/);
    await expect(page.getByLabel(/^Display name/).inputValue()).resolves.toBe(NEW_SURGEON.name);
    await checkPage('user-refused');

    await email.fill(NEW_SURGEON.email);
    await page.getByRole('button', { name: 'Create the user' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${NEW_SURGEON.name} (${NEW_SURGEON.email}) was created` })
      .waitFor();
    await userRow(NEW_SURGEON.email).waitFor();
    const created = (await usersByApi()).find((u) => u.email === NEW_SURGEON.email);
    expect(created).toMatchObject({ displayName: NEW_SURGEON.name, role: 'surgeon', active: true });
    await waitForCell(NEW_SURGEON.email, 2, USER_ROLE_LABELS.surgeon);
    // The form starts again empty.
    await expect(page.getByLabel(/^Display name/).inputValue()).resolves.toBe('');
    await checkPage('user-created');
  });

  it('lets the new surgeon sign in and see their cases', async () => {
    await signOut();
    await signIn(NEW_SURGEON.email, NEW_SURGEON.password);
    await page.waitForURL(`${base}/cases`);
    await page.getByRole('link', { name: 'My cases' }).waitFor();
    await expect(page.getByTestId('signed-in-user').innerText()).resolves.toContain(NEW_SURGEON.name);
    await checkPage('new-user-my-cases');
    await signOut();
  });

  it('changes a role and deactivates a user, who can then not sign in', async () => {
    await signIn(admin.email, admin.password);
    await page.waitForURL(`${base}/cases`);
    await page.getByRole('link', { name: 'Users' }).click();
    await userRow(STAFF_NAME).waitFor();

    await page.getByRole('button', { name: `Change role of ${STAFF_NAME}` }).click();
    await dialog().getByRole('combobox', { name: 'New role' }).click();
    await page.getByRole('option', { name: USER_ROLE_LABELS.quality_reviewer, exact: true }).click();
    await checkPage('user-change-role');
    await dialog().getByRole('button', { name: 'Save the role' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `The role of ${STAFF_NAME} is now` })
      .waitFor();
    await waitForCell(STAFF_NAME, 2, USER_ROLE_LABELS.quality_reviewer);
    expect((await usersByApi()).find((u) => u.id === staff.id)?.role).toBe('quality_reviewer');
    await checkPage('user-role-changed');

    await page.getByRole('button', { name: `Deactivate ${STAFF_NAME}` }).click();
    await dialog().getByText('will no longer be able to sign in').waitFor();
    await checkPage('user-deactivate-confirm');
    await dialog().getByRole('button', { name: 'Deactivate', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${STAFF_NAME} was deactivated` })
      .waitFor();
    await waitForCell(STAFF_NAME, 3, 'Deactivated');
    await page.getByRole('button', { name: `Reactivate ${STAFF_NAME}` }).waitFor();
    expect((await usersByApi()).find((u) => u.id === staff.id)?.active).toBe(false);
    // Refused at sign-in, and the session they had stops working at once.
    expect((await login(staff.email, staff.password)).status).toBe(401);
    expect((await me(staff.token)).status).toBe(401);
    await checkPage('user-deactivated');
  });

  it('shows the last-admin rule in words', async () => {
    // Deactivate the first administrator: the admin signed in is then the only active one.
    const first = (await usersByApi()).find((u) => u.email === TEST_ADMIN.email)!;
    await page.getByRole('button', { name: `Deactivate ${first.displayName}`, exact: true }).click();
    await dialog().getByRole('button', { name: 'Deactivate', exact: true }).click();
    await waitForCell(first.email, 3, 'Deactivated');

    await page.getByRole('button', { name: `Change role of ${ADMIN_NAME}`, exact: true }).click();
    await dialog().getByRole('combobox', { name: 'New role' }).click();
    await page.getByRole('option', { name: USER_ROLE_LABELS.surgeon, exact: true }).click();
    await dialog().getByRole('button', { name: 'Save the role' }).click();
    const refusal = dialog().getByRole('alert');
    await refusal.waitFor();
    const text = await refusal.innerText();
    expect(text).toContain('The change was not made');
    expect(text).toContain(`${ADMIN_NAME} is the only active administrator, and the registry must keep at least one.`);
    expect(text).not.toMatch(/\b409\b|conflict/i);
    await checkPage('users-last-admin');
    await dialog().getByRole('button', { name: 'Cancel' }).click();

    // Deactivating oneself is refused the same way; the API kept the admin as they were.
    await page.getByRole('button', { name: `Deactivate ${ADMIN_NAME}`, exact: true }).click();
    await dialog().getByRole('button', { name: 'Deactivate', exact: true }).click();
    await expect(dialog().getByRole('alert').innerText()).resolves.toContain('is the only active administrator');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect((await usersByApi()).find((u) => u.id === admin.id)).toMatchObject({ role: 'admin', active: true });
  });

  it('creates a token shown once, which works until it is revoked', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByText('You have no API tokens.').waitFor();
    await checkPage('tokens');

    const name = 'nightly export script';
    await page.getByLabel(/^Token name/).fill(name);
    await page.getByLabel(/^Expires after \(days\)/).fill('30');
    await page.getByRole('button', { name: 'Create the token' }).click();
    const shown = page.getByTestId('new-token');
    await shown.waitFor();
    const token = (await shown.innerText()).trim();
    expect(token.length).toBeGreaterThan(20);
    await expect(page.getByText('it will not be shown again', { exact: false }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Copy the token' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    await expect(page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).resolves.toBe(token);
    const row = page.getByRole('table', { name: 'Your API tokens' }).locator('tbody tr', { hasText: name });
    await row.getByText('Active until', { exact: false }).waitFor();
    await checkPage('token-created');

    // The token works as the admin against the API.
    const answer = await me(token);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as ApiUser).email).toBe(admin.email);

    // Once hidden it is gone from the page: the list never holds it.
    await page.getByRole('button', { name: 'Done, hide the token' }).click();
    await page.getByRole('button', { name: 'Create the token' }).waitFor();
    expect(await page.locator('body').innerText()).not.toContain(token);

    await row.getByRole('button', { name: `Revoke ${name}` }).click();
    await dialog().getByText('Anything that uses this token is refused from now on.').waitFor();
    await checkPage('token-revoke-confirm');
    await dialog().getByRole('button', { name: 'Revoke the token' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `The token “${name}” was revoked` })
      .waitFor();
    await row.getByText('Revoked', { exact: false }).waitFor();
    expect((await me(token)).status).toBe(401);
    await checkPage('token-revoked');
  });
  it('works 768 px wide: the list scrolls within the page, the form fits', async () => {
    await page.setViewportSize({ width: 768, height: 900 });
    await page.getByRole('link', { name: 'Users' }).click();
    await usersTable().locator('tbody tr').first().waitFor();
    for (const control of [page.getByRole('button', { name: 'Create the user' }), page.getByLabel(/^Email/)]) {
      const box = (await control.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(768);
    }
    // The whole row's buttons are reachable by scrolling the table, not the page.
    const pageWidth = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
    expect(pageWidth).toBeLessThanOrEqual(768);
    // The state badges are whole words, not cut short.
    const cut = await page.evaluate(
      () =>
        [...(globalThis as any).document.querySelectorAll('table .mantine-Badge-label')].filter(
          (label: any) => label.scrollWidth > label.clientWidth,
        ).length,
    );
    expect(cut).toBe(0);
    await checkPage('users-768');
  });
});
