// The admin web UI (issue 23) end to end in headless Chromium against a real
// gatehouse with the shipped defaults: sign in by label; API keys (create, read
// from the page, use over HTTP, delete, refused); service account + token used;
// a user created; the Moonraker key rotated; session expiry back to the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Running } from '../helpers/server.js';
import { ADMIN_PASSWORD, bearer } from '../grafana/helpers.js';
import { assertNoErrors, nav, NO_CHROMIUM, openPage, shot, signIn, startUi, stopUi } from './helpers.js';

let browser: Browser;
let s: Running;

before(async () => ({ s, browser } = await startUi()));
after(() => stopUi({ s, browser }));

test('an API key: created on the page, shown once, used over HTTP, deleted and then refused', { skip: NO_CHROMIUM }, async () => {
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'admin', ADMIN_PASSWORD);
  assert.equal(await page.locator('main h1').textContent(), 'API keys');
  assert.equal(await page.getByText('No API keys yet.').isVisible(), true, 'empty state');

  // an empty name is refused beside the field
  await page.getByRole('button', { name: 'Add key' }).click();
  assert.equal(await page.locator('.field-error:not([hidden])').first().textContent(), 'Required');

  await page.getByLabel('Key name').fill('from-the-ui');
  await page.getByLabel('Role').selectOption('Editor');
  await page.getByRole('button', { name: 'Add key' }).click();
  await page.waitForSelector('#secret-value');
  const key = (await page.locator('#secret-value').textContent())!;
  assert.match(await page.locator('.warning').textContent() ?? '', /only once/);
  await shot(page, 'apikeys-created');
  assert.equal((await s.req('GET', '/api/org', { headers: bearer(key) })).status, 200, 'the key from the page works');
  assert.deepEqual(await page.$$eval('table[aria-label="API keys"] tbody tr td', (tds) => tds.slice(0, 2).map((t) => t.textContent)), ['from-the-ui', 'Editor']);

  // delete asks first
  await page.getByRole('button', { name: 'Delete API key from-the-ui' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByText('No API keys yet.').waitFor();
  assert.equal((await s.req('GET', '/api/org', { headers: bearer(key) })).status, 401, 'the deleted key is refused');
  assertNoErrors(errors);
  await context.close();
});

test('a service account and a token made on the page, the token used over HTTP', { skip: NO_CHROMIUM }, async () => {
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'admin', ADMIN_PASSWORD);
  await nav(page, 'Service accounts');
  await page.getByLabel('Service account name').fill('ci-robot');
  await page.getByLabel('Role').selectOption('Viewer');
  await page.getByRole('button', { name: 'Add service account' }).click();
  await page.getByLabel('Token name').fill('ci-token');
  await page.getByRole('button', { name: 'Add token' }).click();
  await page.waitForSelector('#secret-value');
  const token = (await page.locator('#secret-value').textContent())!;
  assert.match(token, /^glsa_/);
  await page.locator('table[aria-label="Tokens of ci-robot"]').waitFor();
  await shot(page, 'service-accounts');
  const r = await s.req('GET', '/api/org', { headers: bearer(token) });
  assert.equal(r.status, 200, r.text);
  assertNoErrors(errors);
  await context.close();
});

test('a user created on the page signs in; the Moonraker key rotated on the page', { skip: NO_CHROMIUM }, async () => {
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'admin', ADMIN_PASSWORD);
  await nav(page, 'Users');
  await page.getByLabel('Login', { exact: true }).fill('vera');
  await page.getByLabel('Password', { exact: true }).fill('vera-password-1');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.locator('table[aria-label="Users"] td', { hasText: /^vera$/ }).waitFor();
  await shot(page, 'users');
  // the server's refusal shows beside the field it is about
  await page.getByLabel('Login', { exact: true }).fill('vera');
  await page.getByLabel('Password', { exact: true }).fill('vera-password-1');
  await page.getByRole('button', { name: 'Create user' }).click();
  const beside = page.locator('#' + (await page.getByLabel('Login', { exact: true }).getAttribute('aria-describedby')));
  await beside.waitFor();
  assert.equal(await beside.textContent(), 'User vera already exists');
  const login = await s.req('POST', '/access/login', { body: { username: 'vera', password: 'vera-password-1' } });
  assert.equal(login.status, 200, login.text);
  // search, reset the password, then delete (asked first)
  await page.getByLabel('Search users').fill('ver');
  await page.locator('table[aria-label="Users"] tbody tr').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Users"] tbody tr').length === 1);
  await page.getByRole('button', { name: 'Reset password of vera' }).click();
  await page.getByLabel('New password for vera').fill('vera-password-2');
  await page.getByRole('button', { name: 'Set password', exact: true }).click();
  await page.getByText('Password of vera changed.').waitFor();
  assert.equal((await s.req('POST', '/access/login', { body: { username: 'vera', password: 'vera-password-2' } })).status, 200);
  await page.getByRole('button', { name: 'Delete user vera' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByText('No users match.').waitFor();
  assert.notEqual((await s.req('POST', '/access/login', { body: { username: 'vera', password: 'vera-password-2' } })).status, 200, 'deleted');

  const old = s.apiKey();
  await nav(page, 'Moonraker keys');
  await page.getByRole('button', { name: 'Show key' }).click();
  await page.locator('#moonraker-key', { hasText: old }).waitFor();
  await page.getByRole('button', { name: 'Rotate the Moonraker API key' }).click();
  await page.getByRole('button', { name: 'Yes, rotate' }).click();
  await page.waitForFunction((o) => { const t = document.getElementById('moonraker-key')?.textContent ?? ''; return /^[0-9a-f]{32}$/.test(t) && t !== o; }, old);
  const fresh = (await page.locator('#moonraker-key').textContent())!;
  await page.getByText('Rotated: the old key no longer works.').waitFor();
  await shot(page, 'moonraker-key');
  assert.equal((await s.req('GET', '/access/user', { headers: { 'x-api-key': old } })).status, 401, 'the old key is refused');
  assert.equal((await s.req('GET', '/access/user', { headers: { 'x-api-key': fresh } })).status, 200, 'the new key works');
  assertNoErrors(errors, [/status of 400/]); // the duplicate user, refused on purpose
  await context.close();
});

test('a session that ends sends the browser to sign in, then back to the page it was on', { skip: NO_CHROMIUM }, async () => {
  const context = await browser.newContext();
  const { page } = await openPage(context);
  await signIn(page, s, 'admin', ADMIN_PASSWORD);
  await nav(page, 'Audit trail');
  await page.locator('table[aria-label="Audit trail"] td', { hasText: 'login_ok' }).first().waitFor();
  // filtered by event and user
  await page.getByLabel('Event').selectOption('key_created');
  await page.getByLabel('User', { exact: true }).fill('admin');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForFunction(() => Array.from(document.querySelectorAll('table[aria-label="Audit trail"] tbody tr td:nth-child(2)')).every((td) => td.textContent === 'key_created'));
  assert.ok(await page.locator('table[aria-label="Audit trail"] tbody tr').count() >= 1, 'the key made in the first test is there');
  await page.getByLabel('User', { exact: true }).fill('nobody-at-all');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByText('No entries match.').waitFor();
  await context.clearCookies(); // the session ends (as it does when it expires)
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/\/login\?redirectTo=%2F%23%2Faudit$/);
  await page.getByLabel('Email or username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await Promise.all([page.waitForURL(`${s.base}/#/audit`), page.getByRole('button', { name: 'Log in' }).click()]);
  await page.waitForSelector('main h1:text-is("Audit trail")');

  // sign out: back to the sign-in page, and signed out as far as the UI's API knows
  await Promise.all([page.waitForURL(/\/login$/), page.getByRole('link', { name: 'Sign out' }).click()]);
  const r = await page.evaluate(async () => (await fetch('/gatehouse/api/session')).json());
  assert.deepEqual(r, { user: null });
  assert.equal(await page.evaluate(async () => (await fetch('/gatehouse/api/users')).status), 401, 'the rest of the API needs a session');
  await context.close();
});
