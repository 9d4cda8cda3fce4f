// Shared by the admin UI's browser tests: headless Debian Chromium through
// playwright-core (never a browser download), signing in through the page by
// label, screenshots (written to docs/screenshots/ for reviewers by
// `npm run screenshots` only, so a test run leaves the checkout as it was), and
// the console errors a page logged.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Running } from '../helpers/server.js';
import { startGrafana } from '../grafana/helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const NO_CHROMIUM = !existsSync(CHROMIUM) && 'chromium not installed';
const SHOTS = join(import.meta.dirname, '../../docs/screenshots');
/** Set by `npm run screenshots`: shot() then replaces docs/screenshots/<name>.png. */
const WRITE_SHOTS = process.env.GATEHOUSE_SCREENSHOTS === '1';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A file's shared server (the shipped defaults) and browser (none without Chromium: those tests skip). */
export async function startUi(): Promise<{ s: Running; browser: Browser }> {
  const s = await startGrafana();
  return { s, browser: NO_CHROMIUM ? (undefined as unknown as Browser) : await launch() };
}

/** Stops what startUi() started, the browser first; either may be missing when start-up failed. */
export async function stopUi(ui: { s?: Running; browser?: Browser }): Promise<void> {
  await ui.browser?.close();
  await ui.s?.stop();
}

/** A page that records its script errors and console errors. */
export async function openPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { page, errors };
}


/** Opens `path` signed out, is sent to the sign-in page, signs in by label, and lands back on `path`. */
export async function signIn(page: Page, s: Running, user: string, password: string, path = '/') {
  await page.goto(`${s.base}${path}`);
  await page.waitForURL(/\/login\?redirectTo=/);
  await page.getByLabel('Email or username').fill(user);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.getByRole('button', { name: 'Log in' }).click()]);
  await page.waitForSelector('main h1');
}

/** Renders the whole page (a test run does that too); the file is written only for `npm run screenshots`. */
export async function shot(page: Page, name: string) {
  if (WRITE_SHOTS) mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ ...(WRITE_SHOTS ? { path: join(SHOTS, `${name}.png`) } : {}), fullPage: true });
}

/** Goes to a page of the UI through the navigation. */
export async function nav(page: Page, title: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: title, exact: true }).click();
  await page.waitForSelector(`main h1:text-is("${title}")`);
}

/** No script, CSP or console error; `expected`: the browser's lines for requests the test made fail on purpose. */
export function assertNoErrors(errors: string[], expected: RegExp[] = []) {
  assert.deepEqual(errors.filter((e) => !expected.some((x) => x.test(e))), [], 'no script, CSP or console errors (a failed request is one too)');
}
