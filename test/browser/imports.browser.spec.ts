import { jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { BrowserContext, Page } from 'playwright-core';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// The Imports page in a real Chromium against the real server and PostgreSQL (as the other browser tests): registry
// staff download the template, check a cases file made from an identified export (new MRNs, no registry codes, one
// row with a side that does not exist), read the row to fix in the errors table and download it as CSV, see a
// malformed file refused in words, check the corrected file, import it and find the two cases through the API.
jest.setTimeout(120_000);

type Body = Record<string, any>;
let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let staff: TestUser;
let surgeon: TestUser;
const files = mkdtempSync(join(tmpdir(), 'ilr-import-'));
const newMrns = [uniqueMrn(), uniqueMrn()];
let badFile: string;
let fixedFile: string;
let malformedFile: string;

async function send(method: string, path: string, token: string, body?: Body): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const apiGet = async (path: string, token: string): Promise<Body> => {
  const response = await send('GET', path, token);
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
};

beforeAll(async () => {
  t = await startTestApp();
  base = `http://127.0.0.1:${(t.server.address() as { port: number }).port}`;
  [staff, surgeon] = await Promise.all([
    t.factories.newUser({ role: 'registry_staff', displayName: 'Rita Import' }),
    t.factories.newUser({ role: 'surgeon', displayName: 'Dr Ida Historic' }),
  ]);
  for (const surgeryDate of ['2024-05-06', '2024-06-07']) {
    const response = await send('POST', '/api/v1/cases', surgeon.token, newCaseBody({ surgeryDate }));
    if (response.status !== 201) throw new Error(`creating a case failed with ${response.status}`);
  }
  // The identified export (administrators only) is an importable file: made into two new patients' cases, with
  // no registry codes (they are the registry's to give) and no surgeon (the page's default names them).
  const exported = await fetch(`${base}/api/v1/exports/cases?identified=true&format=csv`, {
    headers: { authorization: `Bearer ${await t.factories.admin()}` },
  });
  expect(exported.status).toBe(200);
  const [header, ...rows] = parse(await exported.text(), { bom: true }) as string[][];
  expect(rows).toHaveLength(2);
  const at = (name: string) => {
    const index = header.indexOf(name);
    expect(index).toBeGreaterThanOrEqual(0);
    return index;
  };
  const fixed = rows.map((row, i) => {
    const out = [...row];
    out[at('mrn')] = newMrns[i];
    out[at('registryCode')] = '';
    out[at('surgeonEmail')] = '';
    return out;
  });
  const bad = fixed.map((row) => [...row]);
  bad[1][at('side')] = 'middle';
  const csv = (table: string[][]) => stringify([header, ...table], { record_delimiter: '\r\n' });
  badFile = join(files, 'historic-cases.csv');
  fixedFile = join(files, 'historic-cases-fixed.csv');
  malformedFile = join(files, 'historic-cases-broken.csv');
  writeFileSync(badFile, csv(bad));
  writeFileSync(fixedFile, csv(fixed));
  // Line 3 opens a quote that never closes.
  writeFileSync(malformedFile, `${csv(fixed.slice(0, 1))}"unclosed,${fixed[1].slice(1).join(',')}\r\n`);
  ({ context, page, pageErrors } = await launchBrowser({ width: 1280, height: 900 }));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

async function signInAt(path: string, user: TestUser): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: false }).first().fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(new RegExp(`${path}$`));
}

// Clicks the button and answers the status of POST /imports and the job it started (202: its Location, read
// through the API; Chromium does not keep the answer's body of a request whose body was a File).
async function upload(button: 'Check the file' | 'Import'): Promise<{ status: number; job?: Body }> {
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/imports',
  );
  await page.getByRole('button', { name: button, exact: true }).click();
  const response = await answered;
  const location = response.headers().location;
  if (response.status() !== 202) return { status: response.status() };
  expect(location).toMatch(/^\/api\/v1\/imports\/[0-9a-f-]{36}$/);
  return { status: 202, job: await apiGet(location, staff.token) };
}

const status = () => page.getByTestId('import-status');
const count = (key: string) => page.locator(`[data-count="${key}"] dd`).innerText();

describe('the Imports page', () => {
  it('lets registry staff check a file, read the rows to fix, check the corrected file and import it', async () => {
    await signInAt('/imports', staff);
    await page.getByRole('heading', { name: 'Imports', level: 1 }).waitFor();
    await page.getByText('No imports yet.').waitFor();

    // The template, fetched with the bearer token: the header row the API gives.
    const template = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the cases template (CSV)' }).click();
    const templateFile = await template;
    const served = await fetch(`${base}/api/v1/imports/template?dataset=cases`, {
      headers: { authorization: `Bearer ${staff.token}` },
    });
    expect(served.status).toBe(200);
    await expect(readFile(await templateFile.path(), 'utf8')).resolves.toBe(await served.text());
    expect(templateFile.suggestedFilename()).toMatch(/\.csv$/);

    // The default surgeon, by name, for the rows that name none.
    const surgeonSelect = page.getByLabel('Default surgeon');
    await surgeonSelect.locator('option', { hasText: 'Dr Ida Historic' }).waitFor({ state: 'attached' });
    await surgeonSelect.selectOption({ label: 'Dr Ida Historic' });
    await page.getByLabel('CSV file').setInputFiles(badFile);

    const check = await upload('Check the file');
    expect(check.status).toBe(202);
    const checkId = check.job!.id as string;
    expect(check.job).toMatchObject({
      dataset: 'cases',
      mode: 'validate',
      onError: 'reject_all',
      fileName: 'historic-cases.csv',
      surgeonId: surgeon.id,
    });
    await status().getByText('Checked: nothing was written. 1 row needs fixing').waitFor();
    const checked = await apiGet(`/api/v1/imports/${checkId}`, staff.token);
    expect(checked).toMatchObject({ status: 'validated', rowsRead: 2, accepted: 1, rejected: 1, errorCount: 1 });
    await expect(count('rowsRead')).resolves.toBe('2');
    await expect(count('rejected')).resolves.toBe('1');

    // The bad row: the file's line 3 (the header is line 1), column side.
    const table = page.getByRole('table', { name: 'Rows to fix' });
    await table.waitFor();
    const errors = await apiGet(`/api/v1/imports/${checkId}/errors`, staff.token);
    expect(errors.items).toEqual([expect.objectContaining({ line: 3, column: 'side' })]);
    const cells = await table.locator('tbody tr').first().getByRole('cell').allInnerTexts();
    expect(cells).toEqual(['3', 'side', errors.items[0].message]);
    // No cell value in the message (nor the patient's MRN).
    expect(errors.items[0].message).not.toContain(newMrns[1]);
    await checkShared(page, 'imports');

    // The same report as CSV, fetched with the bearer token.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the errors (CSV)' }).click();
    const file = await download;
    const report = parse(await readFile(await file.path()), { bom: true }) as string[][];
    expect(report[0]).toEqual(['line', 'column', 'code', 'message']);
    expect(report.slice(1)).toEqual([['3', 'side', errors.items[0].code, errors.items[0].message]]);

    // A file that cannot be read as CSV is refused in words, with its line; no job is made of it.
    await page.getByLabel('CSV file').setInputFiles(malformedFile);
    await expect(upload('Check the file').then((r) => r.status)).resolves.toBe(400);
    // The same file sent straight to the API: the problem the page put in words.
    const refused = await fetch(`${base}/api/v1/imports?dataset=cases&mode=validate`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${staff.token}` },
      body: await readFile(malformedFile),
    });
    expect(refused.status).toBe(400);
    const problem = (await refused.json()) as Body;
    expect(problem).toMatchObject({ code: 'malformed_file', problem: 'bad_quoting', line: expect.any(Number) });
    const alert = page.getByTestId('import-malformed');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toMatch(new RegExp(`Line ${problem.line}\\b`, 'i'));
    await expect(alert.innerText()).resolves.toContain(problem.detail.replace(/\.$/, '').slice(1));

    // Fixed and uploaded again: nothing to fix.
    await page.getByLabel('CSV file').setInputFiles(fixedFile);
    await expect(page.getByTestId('import-malformed').count()).resolves.toBe(0);
    const recheck = await upload('Check the file');
    expect(recheck.status).toBe(202);
    await status().getByText('Checked: nothing was written. All 2 rows can be imported').waitFor();
    await page.getByText('No row needs fixing.').waitFor();
    await expect(page.getByRole('table', { name: 'Rows to fix' }).count()).resolves.toBe(0);
    // A check wrote nothing.
    await expect(apiGet('/api/v1/cases?limit=100', staff.token).then((b) => b.items.length)).resolves.toBe(2);

    const commit = await upload('Import');
    expect(commit.status).toBe(202);
    expect(commit.job).toMatchObject({ mode: 'commit', onError: 'reject_all' });
    await status().getByText('Imported: 2 records created').waitFor();
    await expect(count('created')).resolves.toBe('2');
    await expect(count('rejected')).resolves.toBe('0');
    const committed = await apiGet(`/api/v1/imports/${commit.job!.id}`, staff.token);
    expect(committed).toMatchObject({ status: 'committed', created: 2, rejected: 0, unchanged: 0, conflicts: 0 });

    // The two cases are in the registry, the default surgeon's, under the new patients.
    const cases = await apiGet('/api/v1/cases?limit=100', staff.token);
    expect(cases.items).toHaveLength(4);
    for (const mrn of newMrns) {
      const patients = await apiGet(`/api/v1/patients?mrn=${encodeURIComponent(mrn)}`, staff.token);
      expect(patients.items).toHaveLength(1);
      const theirs = cases.items.filter((c: Body) => c.patientId === patients.items[0].id);
      expect(theirs).toEqual([expect.objectContaining({ surgeonId: surgeon.id })]);
    }

    // The recent imports: the three jobs, newest first; the first check opens again with its row to fix.
    const listed = await apiGet('/api/v1/imports', staff.token);
    expect(listed.items.map((j: Body) => j.id)).toEqual([commit.job!.id, recheck.job!.id, checkId]);
    const first = page.locator(`tr[data-import-id="${checkId}"]`);
    await first.getByText('Checked').waitFor();
    await first.getByRole('button', { name: /^Show the check of / }).click();
    await status().getByText('Checked: nothing was written. 1 row needs fixing').waitFor();
    await page.getByRole('table', { name: 'Rows to fix' }).getByRole('cell', { name: 'side', exact: true }).waitFor();
  });
});
