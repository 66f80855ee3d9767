import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { RELEASE_LOCATION } from '@ilr/clinical';
import { ExportRepository } from '@ilr/persistence';
import { ExportsService } from '@ilr/registry';
import { checkPage as checkShared, launchBrowser } from '../support/browser.js';
import { newCaseBody } from '../support/cases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// The Exports page in a real Chromium against the real server and PostgreSQL (as the other browser tests).
// The in-process worker is off: the test runs each job with the worker's own code (claim, progress,
// runJob), so the page is seen queued, running part-way and done, each state for certain.
jest.setTimeout(120_000);

type Body = Record<string, any>;
let t: TestApp;
let base: string;
let context: BrowserContext;
let page: Page;
let staff: TestUser;
let admin: TestUser;
let pageErrors: string[] = [];
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  t = await startTestApp({ EXPORT_WORKER: 'off' });
  const address = t.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  const surgeon = await t.factories.newUser({ role: 'surgeon' });
  staff = await t.factories.newUser({ role: 'registry_staff', displayName: 'Robin Export' });
  admin = await t.factories.newUser({ role: 'admin', displayName: 'Alex Admin' });
  // Two capsular releases and one at the lesser trochanter.
  const bodies = [
    newCaseBody({ surgeryDate: '2025-01-10' }),
    newCaseBody({ surgeryDate: '2025-02-11' }),
    newCaseBody({
      surgeryDate: '2025-03-12',
      release: { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 },
    }),
  ];
  for (const body of bodies) {
    const response = await fetch(`${base}/api/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${surgeon.token}` },
      body: JSON.stringify(body),
    });
    if (response.status !== 201)
      throw new Error(`creating a case failed with ${response.status}: ${await response.text()}`);
  }
  ({ context, page, pageErrors } = await launchBrowser({ width: 1024, height: 900 }));
});

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
  await t?.close();
});

async function checkPage(name: string): Promise<void> {
  await checkShared(page, name);
}

const apiGet = async (path: string, token: string): Promise<Body> => {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
};

const choose = async (label: string, option: string) => {
  await page.getByRole('combobox', { name: new RegExp(`^${label}( \\*)?$`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};

async function signInAt(path: string, user: TestUser): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: false }).first().fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(new RegExp(`${path}$`));
}

// Clicks "Start export" and answers the job the page was given.
async function startExport(): Promise<Body> {
  const created = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/exports',
  );
  await page.getByRole('button', { name: 'Start export' }).click();
  const response = await created;
  expect(response.status()).toBe(202);
  return (await response.json()) as Body;
}

// The worker's claim, for this job only (the queue holds nothing else; attempts matter only for expired leases).
async function claim(jobId: string) {
  const lease = await t.app.get(ExportRepository).claimNext('browser-test', 60_000, 3);
  expect(lease?.jobId).toBe(jobId);
  return lease!;
}

async function runToEnd(jobId: string, lease: Awaited<ReturnType<typeof claim>>): Promise<void> {
  const job = (await t.app.get(ExportRepository).findJob(jobId))!;
  await expect(t.app.get(ExportsService).runJob(job, lease, new AbortController().signal)).resolves.toBe('done');
}

const progressBar = () => page.getByRole('progressbar', { name: 'Export progress' });
const status = () => page.getByTestId('export-status');

async function downloadedSha(button: ReturnType<Page['getByRole']>): Promise<{ sha: string; name: string }> {
  const download = page.waitForEvent('download');
  await button.click();
  const file = await download;
  const path = await file.path();
  return { sha: sha256(await readFile(path)), name: file.suggestedFilename() };
}

describe('the Exports page', () => {
  it('lets registry staff start an export, watch it run, download it and check its sha256; the list says who ran it', async () => {
    await signInAt('/exports', staff);
    await page.getByRole('heading', { name: 'Exports', level: 1 }).waitFor();
    await page.getByText('No exports yet.').waitFor();
    // Identified exports are for administrators: not offered to staff.
    await expect(page.getByRole('checkbox', { name: /Identified export/ }).count()).resolves.toBe(0);
    await checkPage('exports');

    await choose('Dataset', 'Cases');
    await choose('Format', 'CSV (spreadsheet)');
    await choose('Release location', RELEASE_LOCATION.labels.capsular);
    const created = await startExport();
    expect(created).toMatchObject({
      status: 'queued',
      dataset: 'cases',
      format: 'csv',
      identified: false,
      filters: { releaseLocation: 'capsular' },
      createdBy: { id: staff.id, displayName: 'Robin Export' },
    });

    // Queued: the bar at 0 until the worker takes the job.
    await status().getByText('Waiting to start').waitFor();
    await expect(progressBar().getAttribute('aria-valuenow')).resolves.toBe('0');
    await checkPage('export-queued');

    // Running part-way: the bar shows the job's own progress, as GET /exports/:id gives it.
    const lease = await claim(created.id);
    await t.app.get(ExportRepository).progress(lease, 1, 2);
    const running = await apiGet(`/api/v1/exports/${created.id}`, staff.token);
    expect(running).toMatchObject({ status: 'running', rows: 1, progress: 0.5 });
    await status().getByText('Running: 50% (1 row written)').waitFor();
    await expect(progressBar().getAttribute('aria-valuenow')).resolves.toBe(String(running.progress * 100));
    await checkPage('export-running');

    await runToEnd(created.id, lease);
    const done = await apiGet(`/api/v1/exports/${created.id}`, staff.token);
    expect(done).toMatchObject({
      status: 'done',
      rows: 2,
      progress: 1,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await status().getByText('Done: 2 rows').waitFor();
    await expect(progressBar().getAttribute('aria-valuenow')).resolves.toBe('100');
    const shownSha = await page.getByTestId('export-sha256').innerText();
    expect(shownSha).toBe(done.sha256);
    // The manifest says the same checksum, rows and filters.
    const manifest = page.getByRole('table', { name: 'Manifest' });
    await manifest.waitFor();
    await expect(page.getByTestId('manifest-sha256').innerText()).resolves.toBe(done.sha256);
    await expect(manifest.innerText()).resolves.toContain('2 rows');
    const stored = await apiGet(`/api/v1/exports/${created.id}/manifest`, staff.token);
    expect(stored).toMatchObject({ jobId: created.id, rows: 2, sha256: done.sha256 });
    await expect(manifest.innerText()).resolves.toContain(
      `${stored.exclusions.cases} cases matching the filters left out`,
    );
    await expect(manifest.innerText()).resolves.toContain(
      `Release location ${RELEASE_LOCATION.labels.capsular.toLowerCase()}`,
    );
    await checkPage('export-done');

    // The file, fetched with the bearer token and handed over as a Blob: its sha256 is the job's.
    const file = await downloadedSha(page.getByRole('button', { name: 'Download the cases export', exact: true }));
    expect(file.sha).toBe(done.sha256);
    expect(file.sha).toBe(shownSha);
    expect(file.name).toBe(`${created.id}.csv`);

    // The past-exports list: this job, run by this staff member, with its download.
    const row = page.locator(`tr[data-job-id="${created.id}"]`);
    await row.getByText('Done: 2 rows').waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    expect(cells.slice(1, 8)).toEqual([
      'Robin Export',
      'Cases',
      'CSV',
      `Release location ${RELEASE_LOCATION.labels.capsular.toLowerCase()}`,
      'De-identified',
      '2',
      'Done: 2 rows',
    ]);
    const listed = await apiGet('/api/v1/exports', staff.token);
    expect(listed.items.map((j: Body) => j.id)).toEqual([created.id]);
    const again = await downloadedSha(row.getByRole('button', { name: /^Download the cases export of / }));
    expect(again.sha).toBe(done.sha256);
    await checkPage('exports-list');

    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('offers administrators the identified export, which the list shows as identified', async () => {
    await signInAt('/exports', admin);
    const identified = page.getByRole('checkbox', { name: /Identified export/ });
    await identified.waitFor();
    // The staff member's export is in an administrator's list too.
    await page.getByRole('cell', { name: 'Robin Export' }).waitFor();
    await checkPage('exports-admin');

    await choose('Dataset', 'Follow-ups');
    await identified.check();
    const created = await startExport();
    expect(created).toMatchObject({ identified: true, dataset: 'follow-ups', createdBy: { id: admin.id } });
    await runToEnd(created.id, await claim(created.id));
    const done = await apiGet(`/api/v1/exports/${created.id}`, admin.token);
    await status()
      .getByText(`Done: ${done.rows} ${done.rows === 1 ? 'row' : 'rows'}`)
      .waitFor();
    const file = await downloadedSha(page.getByRole('button', { name: 'Download the follow-ups export', exact: true }));
    expect(file.sha).toBe(done.sha256);

    const row = page.locator(`tr[data-job-id="${created.id}"]`);
    await row.getByText('Identified', { exact: true }).waitFor();
    await expect(row.getByRole('cell').nth(1).innerText()).resolves.toBe('Alex Admin');
    await checkPage('export-identified-done');
  });
});
