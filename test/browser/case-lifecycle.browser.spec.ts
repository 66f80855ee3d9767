import { jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// A case's life in a real Chromium against the real server and PostgreSQL (as new-case.browser.spec.ts): a surgeon
// logs a full case through the form (conditional fields come and go), meets a field error only the server can
// find, fixes it and saves; reads the case in words, signs it, amends it with a reason, reads the amendment in the
// history; meets someone else's change mid-amendment (412), reloads and keeps what they typed; deletes the case with
// a reason. Another surgeon's case reads "not found". axe-core checks every page state visited.
jest.setTimeout(120_000);

let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let surgeon: TestUser;
let other: TestUser;
let pageErrors: string[] = [];
// A patient this surgeon registered earlier (born 1990-04-02): the form's MRN finds them.
const knownMrn = uniqueMrn();
let caseId = '';
let registryCode = '';

async function checkPage(name: string): Promise<void> {
  // The page as it rests: not with the pointer still over the button just clicked (its hover colour).
  await page.mouse.move(0, 0);
  await checkShared(page, name);
}

async function apiCall(token: string, method: string, path: string, body?: unknown, headers = {}) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  t = await startTestApp();
  const address = t.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  surgeon = await t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ada Lifecycle' });
  other = await t.factories.newSurgeon();
  const earlier = await apiCall(
    surgeon.token,
    'POST',
    '/cases',
    newCaseBody({ patient: { mrn: knownMrn, birthDate: '1990-04-02', sex: 'female' }, side: 'left' }),
  );
  expect(earlier.status).toBe(201);
  ({ context, page, pageErrors } = await launchBrowser({ width: 1024, height: 900 }));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

// The form's controls by field path (controls.tsx: fieldId).
const byPath = (path: string) => page.locator(`[id="case-${path.replace(/[.[\]]/g, '-')}"]`);
const choose = async (path: string, option: string) => {
  await byPath(path).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};
const pick = (path: string, label: string) => byPath(path).getByLabel(label, { exact: true }).check();
const typeDate = async (path: string, date: string) => {
  await byPath(path).fill(date);
  await byPath(path).press('Enter');
  await byPath(path).blur();
};
// The form refills its controls just after the page re-renders: wait for the value.
const waitInput = (path: string, value: string) =>
  page.waitForFunction(([id, v]) => (globalThis as any).document.getElementById(id)?.value === v, [
    `case-${path.replace(/[.[\]]/g, '-')}`,
    value,
  ] as const);
const present = async (path: string) => (await byPath(path).count()) > 0;
// A field's value on the Case view (its row in the group's table), once it reads `value`.
async function expectValue(label: string, value: string): Promise<void> {
  const cell = page
    .locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`) }) })
    .locator('td');
  await cell.filter({ hasText: value }).first().waitFor();
  expect(await cell.first().innerText()).toBe(value);
}

describe('a case from the form to its deletion', () => {
  it('is logged in full through the form, with the conditional fields coming and going', async () => {
    await page.goto(`${base}/cases/new`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(surgeon.email);
    await page.getByLabel('Password', { exact: false }).first().fill(surgeon.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/cases\/new$/);
    await page.getByRole('heading', { name: 'New case' }).waitFor();

    // Patient: the MRN of the registered patient, with a birth date the browser cannot know is wrong.
    await byPath('patient.mrn').fill(knownMrn);
    await typeDate('patient.birthDate', '1991-04-02');
    await choose('patient.sex', 'Female');

    await typeDate('surgeryDate', '2025-03-14');
    await choose('side', 'Right');

    await pick('indications', 'Internal snapping hip');
    await pick('indications', 'Iliopsoas impingement');
    await pick('priorIpsilateralSurgery', 'Yes');
    await pick('priorIpsilateralSurgery-items', 'Hip arthroscopy');
    await byPath('symptomDurationMonths').fill('18');
    await choose('activityLevel', 'Recreational');
    await byPath('heightCm').fill('168.5');
    await byPath('weightKg').fill('61.2');
    await pick('conservativeTreatment', 'Yes');
    await pick('conservativeTreatment-items', 'Physiotherapy');
    await pick('examination.snappingReproduced', 'Yes');

    // The injection response only once an injection was performed.
    expect(await present('diagnosticInjection.response')).toBe(false);
    await pick('diagnosticInjection.performed', 'Yes');
    await byPath('diagnosticInjection.response').waitFor();
    await pick('diagnosticInjection.performed', 'No');
    await byPath('diagnosticInjection.response').waitFor({ state: 'detached' });
    await pick('diagnosticInjection.performed', 'Yes');
    await choose('diagnosticInjection.response', 'Partial relief');

    await byPath('imaging.alphaAngle').fill('58.5');
    await byPath('imaging.lateralCenterEdgeAngle').fill('31');
    await choose('imaging.tonnisGrade', '1: increased sclerosis, slight narrowing');
    await pick('imaging.dynamicUltrasoundSnapping', 'Yes');
    await pick('imaging.bifidTendonOnMri', 'Yes');

    await choose('anesthesia', 'General and regional');
    await choose('positioning', 'Supine');
    await byPath('tractionMinutes').fill('42');
    await byPath('operativeMinutes').fill('96');
    await pick('portals', 'Anterolateral');
    await pick('portals', 'Mid-anterior');
    // The other portal's name only with "Other".
    expect(await present('portalsOther')).toBe(false);
    await pick('portals', 'Other');
    await byPath('portalsOther').waitFor();
    await byPath('portals').getByLabel('Other', { exact: true }).uncheck();
    await byPath('portalsOther').waitFor({ state: 'detached' });
    await pick('portals', 'Other');
    await byPath('portalsOther').fill('accessory distal anterior');
    await choose('capsulotomy', 'T-capsulotomy');
    await byPath('capsularClosure').check();

    await byPath('findings.labralTear').check();
    await byPath('findings.anteriorLabralLesionAtPsoas').check();
    await byPath('findings.cam').check();
    await choose('findings.acetabularCartilageIcrs', '2: abnormal (lesions under half the cartilage depth)');
    await choose('findings.femoralCartilageIcrs', '1: nearly normal (superficial lesions)');

    // The capsular level only with a capsular release.
    expect(await present('release.capsularLevel')).toBe(false);
    await choose('release.location', 'Capsular (transcapsular)');
    await byPath('release.capsularLevel').waitFor();
    await choose('release.location', 'At the lesser trochanter');
    await byPath('release.capsularLevel').waitFor({ state: 'detached' });
    await choose('release.location', 'Capsular (transcapsular)');
    await choose('release.capsularLevel', 'Peripheral compartment');
    await choose('release.technique', 'Fractional lengthening');
    // "All bundles released" only with more than one bundle.
    expect(await present('release.allBundlesReleased')).toBe(false);
    await choose('release.tendonBundles', 'Two (bifid)');
    await byPath('release.allBundlesReleased').waitFor();
    await choose('release.tendonBundles', 'One (single tendon)');
    await byPath('release.allBundlesReleased').waitFor({ state: 'detached' });
    await choose('release.tendonBundles', 'Two (bifid)');
    await pick('release.allBundlesReleased', 'Yes');

    expect(await present('impingementRepair.procedures')).toBe(false);
    await pick('impingementRepair.performed', 'Yes');
    await pick('impingementRepair.procedures', 'Labral repair');
    await pick('impingementRepair.procedures', 'Femoral osteochondroplasty');

    await choose('hoProphylaxis', 'NSAID');
    await pick('intraoperativeEvents', 'None');
    await byPath('notes').fill('Dancer; snapping since a growth spurt.');
    await checkPage('case-new-full');
  });

  it("shows the server's field error at its field, and saves once it is fixed", async () => {
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'The case was not saved' }).waitFor();
    // The registered patient's birth date differs: only the server knows; its answer is at the birth date.
    const error = page.locator('[id="case-patient-birthDate-error"]');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/Date of birth differs from the registered patient/);
    await expect(byPath('patient.birthDate').getAttribute('aria-invalid')).resolves.toBe('true');
    // What was typed is kept.
    await expect(byPath('portalsOther').inputValue()).resolves.toBe('accessory distal anterior');
    await checkPage('case-new-server-error');

    await byPath('patient.birthDate').fill('');
    await typeDate('patient.birthDate', '1990-04-02');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    caseId = page.url().split('/').pop()!;
    const stored = await apiCall(surgeon.token, 'GET', `/cases/${caseId}`);
    expect(stored.status).toBe(200);
    registryCode = stored.body.registryCode;
    expect(stored.body).toMatchObject({
      status: 'draft',
      surgeryDate: '2025-03-14',
      side: 'right',
      portalsOther: 'accessory distal anterior',
      release: { location: 'capsular', capsularLevel: 'peripheral_compartment', tendonBundles: 2 },
      diagnosticInjection: { performed: true, response: 'partial_relief' },
    });
  });

  it('shows the case in words, with its registry code, status and empty follow-ups and complications', async () => {
    await page.getByRole('heading', { name: registryCode }).waitFor();
    await page.locator('.mantine-Badge-root', { hasText: 'Draft' }).waitFor();
    await expectValue('Capsular level', 'Peripheral compartment');
    await expectValue('Release location', 'Capsular (transcapsular)');
    await expectValue('Tendon bundles', 'Two (bifid)');
    await expectValue('Other portal', 'accessory distal anterior');
    await expectValue('Response to the injection', 'Partial relief');
    await expectValue('Intra-operative events', 'None');
    await expectValue('Sex', 'Female');
    const stored = await apiCall(surgeon.token, 'GET', `/cases/${caseId}`);
    await expectValue('Body-mass index', `${stored.body.bmi.toFixed(1)} kg/m²`);
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(
      /peripheral_compartment|fractional_lengthening|labral_repair|general_and_regional|\bnsaid\b/,
    );
    expect(text).not.toMatch(/\btrue\b|\bfalse\b|\bnull\b|undefined/);
    await page.getByText('No follow-up visits recorded yet.').waitFor();
    await expect(page.getByRole('link', { name: 'Add follow-up' }).getAttribute('href')).resolves.toBe(
      `/cases/${caseId}/follow-ups/new`,
    );
    await expect(page.getByRole('link', { name: 'Add complication' }).getAttribute('href')).resolves.toBe(
      `/cases/${caseId}/complications/new`,
    );
    await page.getByText('The audit chain verifies').waitFor();
    await checkPage('case-view');
    // From 768 px wide: nothing runs off the side (the tables wrap their cells).
    await page.setViewportSize({ width: 768, height: 900 });
    const overflow = await page.evaluate(() => {
      const root = (globalThis as any).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await checkPage('case-view-768');
    await page.setViewportSize({ width: 1024, height: 900 });
  });

  it('is signed, and says who signed it', async () => {
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.locator('.mantine-Badge-root', { hasText: 'Signed' }).waitFor();
    await page.getByText(/Signed by Dr Ada Lifecycle on/).waitFor();
    await expect(page.getByRole('button', { name: 'Sign', exact: true }).count()).resolves.toBe(0);
    const stored = await apiCall(surgeon.token, 'GET', `/cases/${caseId}`);
    expect(stored.body.status).toBe('signed');
  });

  it('is amended with a reason, and the history shows the field before and after with the reason', async () => {
    await page.getByRole('link', { name: 'Amend' }).click();
    await page.waitForURL(`${base}/cases/${caseId}/edit`);
    await page.getByRole('heading', { name: `Amend ${registryCode}` }).waitFor();
    // Pre-filled from the case.
    await expect(byPath('portalsOther').inputValue()).resolves.toBe('accessory distal anterior');
    await expect(byPath('release.capsularLevel').inputValue()).resolves.toBe('Peripheral compartment');
    await choose('release.capsularLevel', 'Central compartment');
    // A signed case changes only with a reason.
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Give the reason for changing a signed case.').waitFor();
    await checkPage('case-amend');
    await page.getByLabel('Reason for the amendment', { exact: false }).fill('Operative note re-read');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`${base}/cases/${caseId}`);
    await expectValue('Capsular level', 'Central compartment');

    const history = page.getByRole('table', { name: 'History' });
    const amended = history.locator('tbody tr', { hasText: 'Amended' });
    await amended.first().waitFor();
    expect(await amended.count()).toBe(1);
    const cells = await amended.locator('td').allInnerTexts();
    expect(cells[0]).toBe('Dr Ada Lifecycle');
    expect(cells.slice(2)).toEqual([
      'Amended',
      'Capsular level',
      'Peripheral compartment → Central compartment',
      'Operative note re-read',
    ]);
    await expect(history.locator('tbody tr', { hasText: 'Signed' }).count()).resolves.toBe(1);
    await page.getByText('The audit chain verifies').waitFor();
    await checkPage('case-history');
  });

  it('offers to reload when the case changed meanwhile (412), and keeps what was typed', async () => {
    await page.getByRole('link', { name: 'Amend' }).click();
    await page.getByRole('heading', { name: `Amend ${registryCode}` }).waitFor();
    await expect(byPath('symptomDurationMonths').inputValue()).resolves.toBe('18');
    await byPath('notes').fill('Typed before the conflict');
    await page.getByLabel('Reason for the amendment', { exact: false }).fill('Notes completed');

    // Meanwhile the case changes through the API.
    const current = await apiCall(surgeon.token, 'GET', `/cases/${caseId}`);
    const changed = await apiCall(
      surgeon.token,
      'PATCH',
      `/cases/${caseId}`,
      { symptomDurationMonths: 24, amendmentReason: 'Referral letter' },
      { 'if-match': current.etag },
    );
    expect(changed.status).toBe(200);

    await page.getByRole('button', { name: 'Save changes' }).click();
    const stale = page.getByRole('alert').filter({ hasText: 'The case changed meanwhile' });
    await stale.waitFor();
    expect(await stale.innerText()).toContain('Someone else changed this record');
    await checkPage('case-amend-stale');
    await stale.getByRole('button', { name: 'Reload the case' }).click();
    await stale.waitFor({ state: 'detached' });
    // The other change came in; the typed one stayed.
    await waitInput('symptomDurationMonths', '24');
    await expect(byPath('notes').inputValue()).resolves.toBe('Typed before the conflict');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`${base}/cases/${caseId}`);
    await expectValue('Notes', 'Typed before the conflict');
    await expectValue('Symptom duration (months)', '24');
    const stored = await apiCall(surgeon.token, 'GET', `/cases/${caseId}`);
    expect(stored.body).toMatchObject({ notes: 'Typed before the conflict', symptomDurationMonths: 24 });
  });

  it('is deleted with a reason, and leaves the list', async () => {
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete the case' }).click();
    await dialog.getByText('Give the reason for deleting this case.').waitFor();
    await checkPage('case-delete');
    await dialog.getByLabel('Reason for deleting', { exact: false }).fill('Logged twice');
    await dialog.getByRole('button', { name: 'Delete the case' }).click();
    await page.waitForURL(`${base}/cases`);
    await page
      .getByRole('status')
      .filter({ hasText: `${registryCode} deleted.` })
      .waitFor();
    await page.getByRole('table', { name: 'My cases' }).locator('tbody tr').first().waitFor();
    expect(await page.getByRole('table', { name: 'My cases' }).innerText()).not.toContain(registryCode);
    const history = await apiCall(surgeon.token, 'GET', `/cases/${caseId}`);
    expect(history.status).toBe(404);
  });

  it("shows another surgeon's case, and the deleted one, as not found", async () => {
    const theirs = await apiCall(other.token, 'POST', '/cases', newCaseBody());
    expect(theirs.status).toBe(201);
    await page.goto(`${base}/cases/${theirs.body.id}`);
    await page.getByRole('heading', { name: 'Case not found' }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).not.toContain(theirs.body.registryCode);
    await checkPage('case-not-found');
    await page.goto(`${base}/cases/${caseId}`);
    await page.getByRole('heading', { name: 'Case not found' }).waitFor();
  });
});
