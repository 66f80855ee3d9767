import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Debian's Chromium (.ci/run installs it), driven by playwright-core with no browser download. As root it needs
// --no-sandbox; the other flags stop it from calling hosts this network refuses. A fresh profile per run
// (Playwright takes the user data dir itself rather than as --user-data-dir).
const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-artefacts/screenshots');

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  // Uncaught errors in the page and anything the Content-Security-Policy refused: none may happen.
  pageErrors: string[];
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<TestBrowser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'ilr-chromium-')), {
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Whatever the Content-Security-Policy blocks is reported on the console: the pages must need nothing it refuses.
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  return { context, page, pageErrors };
}

// No serious or critical accessibility violation on the page as it is now; and a screenshot of it.
export async function checkPage(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
