// The admin UI in Chromium for other people and other screens: a Viewer's restricted
// view, the org switcher, `legacy_api_key_create = gone`, a phone-width layout, and
// the keyboard. Screenshots go to docs/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Running } from '../helpers/server.js';
import { ADMIN_PASSWORD, mkOrg, mkUser, startGrafana } from '../grafana/helpers.js';
import { assertNoErrors, nav, NO_CHROMIUM, openPage, shot, signIn, startUi, stopUi } from './helpers.js';

let browser: Browser;
let s: Running;

before(async () => ({ s, browser } = await startUi()));
after(() => stopUi({ s, browser }));

const navTitles = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

test("a Viewer sees only what it may do; the server refuses the rest from its page too", { skip: NO_CHROMIUM }, async () => {
  await mkUser(s, 'vic', 'vic-password-1');
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'vic', 'vic-password-1', '/#/apikeys');
  assert.deepEqual(await navTitles(page), ['Profile']);
  assert.equal(await page.locator('main h1').textContent(), 'Profile', 'a page it may not see is not shown');
  assert.equal(new URL(page.url()).hash, '#/profile');
  assert.equal(await page.getByRole('button', { name: /add|create|delete|rotate/i }).count(), 0, 'no create/delete controls');
  assert.equal(await page.getByLabel('Current password').isVisible(), true);
  await shot(page, 'viewer-profile');
  // what the page hides, the server refuses (with a valid session and CSRF token)
  const status = await page.evaluate(async () => {
    const session = await (await fetch('/gatehouse/api/session')).json();
    const r = await fetch('/gatehouse/api/grafana/api/auth/keys', { method: 'POST', headers: { 'content-type': 'application/json', 'x-gatehouse-csrf': session.csrfToken }, body: JSON.stringify({ name: 'v', role: 'Admin' }) });
    return r.status;
  });
  assert.equal(status, 403);

  // its own password: two new ones that differ are refused beside the field; a change signs it out everywhere
  await page.getByLabel('Current password').fill('vic-password-1');
  await page.getByLabel('New password', { exact: true }).fill('vic-password-2');
  await page.getByLabel('Confirm new password').fill('vic-password-3');
  await page.getByRole('button', { name: 'Change password' }).click();
  const beside = page.locator('#' + (await page.getByLabel('Confirm new password').getAttribute('aria-describedby')));
  assert.equal(await beside.textContent(), 'The two new passwords differ');
  await page.getByLabel('Confirm new password').fill('vic-password-2');
  await Promise.all([page.waitForURL(/\/login\?redirectTo=%2F%23%2Fprofile$/), page.getByRole('button', { name: 'Change password' }).click()]);
  await page.getByLabel('Email or username').fill('vic');
  await page.getByLabel('Password').fill('vic-password-2');
  await Promise.all([page.waitForURL(`${s.base}/#/profile`), page.getByRole('button', { name: 'Log in' }).click()]);
  await page.waitForSelector('main h1:text-is("Profile")');
  assertNoErrors(errors, [/status of 403/]); // the refused request, on purpose
  await context.close();
});

test('the org switcher changes the org every page acts in', { skip: NO_CHROMIUM }, async () => {
  await mkOrg(s, 'Team'); // its creator, the admin, is its Admin
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'admin', ADMIN_PASSWORD);
  await nav(page, 'Organizations');
  await page.locator('table[aria-label="All organizations"] td', { hasText: 'Team' }).waitFor();
  await page.getByLabel('Organization', { exact: true }).selectOption({ label: 'Team' });
  await page.locator('main h2', { hasText: 'Members of Team' }).waitFor();
  await shot(page, 'orgs');
  assertNoErrors(errors);
  await context.close();
});

test('at 375 px wide nothing scrolls sideways, and the keyboard reaches the form', { skip: NO_CHROMIUM }, async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'admin', ADMIN_PASSWORD);
  for (const title of ['API keys', 'Users', 'Service accounts', 'Organizations', 'Moonraker keys', 'Audit trail', 'Profile']) {
    if (title !== 'API keys') await nav(page, title);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 375, `${title}: the page is ${wide} px wide`);
  }
  await nav(page, 'API keys');
  await shot(page, 'phone-apikeys');

  // the keyboard: type a name into the focused field, submit with Enter
  await page.getByLabel('Key name').focus();
  await page.keyboard.type('typed-key');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#secret-value');
  assertNoErrors(errors);
  await context.close();
});

test('with legacy_api_key_create = gone the API keys page explains and links to service accounts', { skip: NO_CHROMIUM }, async () => {
  // an option changed: Grafana 11.3+'s behaviour, where keys are service-account tokens
  const gone = await startGrafana({ auth: { legacy_api_key_create: 'gone' } });
  const context = await browser.newContext();
  try {
    const { page, errors } = await openPage(context);
    await signIn(page, gone, 'admin', ADMIN_PASSWORD);
    await page.getByText('API keys are now service-account tokens').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add key' }).count(), 0);
    await shot(page, 'apikeys-gone');
    await page.getByRole('link', { name: /service account and a token/ }).click();
    await page.waitForSelector('main h1:text-is("Service accounts")');
    assertNoErrors(errors);
  } finally {
    await context.close();
    await gone.stop();
  }
});
