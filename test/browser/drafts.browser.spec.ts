import { jest } from '@jest/globals';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';
import { CASE_VOCABULARIES, codeLabel, fieldLabel } from '../../apps/web/src/logic/labels.js';

// An unsaved New-case form survives an expired session (as surgeon-cases.browser.spec.ts, in a real Chromium against
// the real server): the surgeon types many fields, the server refuses the token on the next request, they sign in
// again and are back on /cases/new with every value as typed and "Draft restored". Discard clears the draft, and
// signing out removes it.
jest.setTimeout(90_000);

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let surgeon: TestUser;
let pageErrors: string[] = [];

type Vocabularies = typeof CASE_VOCABULARIES;
const word = <F extends keyof Vocabularies>(field: F, code: Vocabularies[F]['codes'][number]) =>
  codeLabel(CASE_VOCABULARIES[field] as never, code as never);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// A field's control by its label (required fields read "Label *").
const named = (field: string) => new RegExp(`^${escape(fieldLabel(field))}( \\*)?$`);
const textbox = (field: string) => page.getByRole('textbox', { name: named(field) });
const spin = textbox;
const combobox = (field: string) => page.getByRole('combobox', { name: named(field) });
const radio = (field: string, option: string) =>
  page.getByRole('radiogroup', { name: named(field) }).getByRole('radio', { name: option, exact: true });
const checkbox = (label: string) => page.getByRole('checkbox', { name: label, exact: true });

// What the surgeon types, and how to read each value back from the page.
interface Typed {
  what: string;
  expected: string | boolean;
  read: () => Promise<string | boolean>;
}
const typed: Typed[] = [];
const value = (what: string, expected: string, control: () => Locator) =>
  typed.push({ what, expected, read: () => control().inputValue() });
const ticked = (what: string, control: () => Locator) =>
  typed.push({ what, expected: true, read: () => control().isChecked() });

async function fill(field: string, text: string, control = () => textbox(field)): Promise<void> {
  await control().fill(text);
  await control().press('Tab');
  value(field, text, control);
}
async function choose(field: string, option: string): Promise<void> {
  await combobox(field).click();
  await page.getByRole('option', { name: option, exact: true }).click();
  value(field, option, () => combobox(field));
}
async function pick(field: string, option: string): Promise<void> {
  await radio(field, option).check();
  ticked(`${field}: ${option}`, () => radio(field, option));
}
// A checkbox on its own, or one of a field's checklist.
async function tick(label: string, field?: string): Promise<void> {
  const control = () =>
    field
      ? page.getByRole('group', { name: named(field) }).getByRole('checkbox', { name: label, exact: true })
      : checkbox(label);
  await control().check();
  ticked(field ? `${field}: ${label}` : label, control);
}

async function signIn(): Promise<void> {
  await page.getByLabel('Email').fill(surgeon.email);
  await page.getByLabel('Password', { exact: false }).first().fill(surgeon.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const drafts = () =>
  page.evaluate(() => Object.keys((globalThis as any).sessionStorage).filter((k) => k.startsWith('ilr.draft')));

async function casesOfSurgeon(): Promise<number> {
  const response = await fetch(`${base}/api/v1/cases`, { headers: { authorization: `Bearer ${surgeon.token}` } });
  return ((await response.json()) as { items: unknown[] }).items.length;
}

beforeAll(async () => {
  t = await startTestApp();
  const address = t.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  surgeon = await t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ada Draft' });
  ({ context, page, pageErrors } = await launchBrowser({ width: 1024, height: 900 }));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

describe('an unsaved New-case form', () => {
  it('is typed in full without saving', async () => {
    await page.goto(`${base}/cases/new`);
    await page.waitForURL(/\/sign-in/);
    await signIn();
    await page.waitForURL(/\/cases\/new$/);
    await page.getByRole('heading', { name: 'New case' }).waitFor();

    await fill('patient.mrn', 'DRAFT-4711-X');
    await fill('patient.birthDate', '1984-06-15');
    await choose('patient.sex', word('patient.sex', 'female'));
    await fill('surgeryDate', '2026-10-20');
    await choose('side', word('side', 'left'));
    await tick(word('indications', 'internal_snapping_hip'), 'indications');
    await fill('symptomDurationMonths', '14', () => spin('symptomDurationMonths'));
    await choose('activityLevel', word('activityLevel', 'competitive_athlete'));
    await fill('heightCm', '172.5', () => spin('heightCm'));
    await pick('examination.snappingReproduced', 'Yes');
    // Conditional: the response appears once an injection is recorded.
    await pick('diagnosticInjection.performed', 'Yes');
    await choose('diagnosticInjection.response', word('diagnosticInjection.response', 'partial_relief'));
    await choose('anesthesia', word('anesthesia', 'general'));
    await choose('positioning', word('positioning', 'supine'));
    await fill('tractionMinutes', '25', () => spin('tractionMinutes'));
    await fill('operativeMinutes', '85', () => spin('operativeMinutes'));
    await tick(word('portals', 'anterolateral'), 'portals');
    // Conditional: "Other portal" appears with the "Other" portal.
    await tick(word('portals', 'other'), 'portals');
    await fill('portalsOther', 'accessory distal anterior');
    await choose('capsulotomy', word('capsulotomy', 'interportal'));
    await tick(fieldLabel('capsularClosure'));
    await tick(fieldLabel('findings.labralTear'));
    // Conditional: the capsular level appears for a capsular release.
    await choose('release.location', word('release.location', 'capsular'));
    await choose('release.capsularLevel', word('release.capsularLevel', 'central_compartment'));
    await choose('release.technique', word('release.technique', 'fractional_lengthening'));
    await pick('impingementRepair.performed', 'Yes');
    await tick(word('impingementRepair.procedures', 'labral_repair'), 'impingementRepair.procedures');
    await choose('hoProphylaxis', word('hoProphylaxis', 'nsaid'));
    await fill('notes', 'Typed before the session ran out; nothing saved yet.', () =>
      page.getByRole('textbox', { name: named('notes') }),
    );
    expect(typed.length).toBeGreaterThanOrEqual(25);
    // The draft is kept as it is typed.
    await page.waitForFunction(() =>
      Object.keys((globalThis as any).sessionStorage).some((k) => k.startsWith('ilr.draft:case-form@/cases/new')),
    );
    await checkPage('draft-typed');
  });

  it('comes back intact after the session expires and the surgeon signs in again', async () => {
    // The server no longer accepts the token (as when it expires): the next request is a 401.
    await page.evaluate(() => {
      const session = JSON.parse((globalThis as any).sessionStorage.getItem('ilr.session')!);
      (globalThis as any).sessionStorage.setItem(
        'ilr.session',
        JSON.stringify({ ...session, token: 'expired.token.value' }),
      );
    });
    // The page holds the token it signed in with: a reload makes it take the refused one. The form comes back from
    // the draft; the next action that needs the server sends the surgeon to sign in.
    await page.reload();
    await page.getByRole('heading', { name: 'New case' }).waitFor();
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/sign-in\?next=%2Fcases%2Fnew$/);
    await page.getByText('Your session has expired').waitFor();
    await checkPage('draft-session-expired');
    expect(await casesOfSurgeon()).toBe(0);

    await signIn();
    await page.waitForURL(`${base}/cases/new`);
    await page.getByText('Draft restored').waitFor();
    const back = [];
    for (const item of typed) back.push({ what: item.what, value: await item.read() });
    expect(back).toEqual(typed.map((item) => ({ what: item.what, value: item.expected })));
    await checkPage('draft-restored');
  });

  it('Discard clears the draft', async () => {
    await page.getByRole('button', { name: 'Discard' }).click();
    await page.waitForURL(`${base}/cases`);
    expect(await drafts()).toEqual([]);
    await page.goto(`${base}/cases/new`);
    await page.getByRole('heading', { name: 'New case' }).waitFor();
    await expect(textbox('patient.mrn').inputValue()).resolves.toBe('');
    await expect(page.getByText('Draft restored').count()).resolves.toBe(0);
    expect(await casesOfSurgeon()).toBe(0);
  });

  it('signing out removes the draft', async () => {
    await textbox('patient.mrn').fill('DRAFT-SIGN-OUT');
    await page.waitForFunction(() =>
      Object.keys((globalThis as any).sessionStorage).some((k) => k.startsWith('ilr.draft:')),
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/sign-in`);
    expect(await drafts()).toEqual([]);
    await signIn();
    await page.waitForURL(`${base}/cases`);
    await page.goto(`${base}/cases/new`);
    await page.getByRole('heading', { name: 'New case' }).waitFor();
    await expect(textbox('patient.mrn').inputValue()).resolves.toBe('');
    await expect(page.getByText('Draft restored').count()).resolves.toBe(0);
  });
});

async function checkPage(name: string): Promise<void> {
  await checkShared(page, name);
}
