// The admin web UI's account pages (issue 23, brief ui2) end to end in headless Chromium
// against a real gatehouse with the shipped defaults: a user disabled on the users page
// loses Basic auth over HTTP (and gets it back when enabled), a Moonraker scope set there
// binds the user's next request; the profile's sessions: one revoked, then "sign out
// everywhere" ends another browser's session and a Moonraker login; a named Moonraker key
// created on the page works with X-Api-Key within its scope, and is refused once deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Running } from '../helpers/server.js';
import { ADMIN_PASSWORD, basic, mkUser } from '../grafana/helpers.js';
import { assertNoErrors, nav, NO_CHROMIUM, openPage, shot, signIn, startUi, stopUi } from './helpers.js';

let browser: Browser;
let s: Running;

before(async () => ({ s, browser } = await startUi()));
after(() => stopUi({ s, browser }));

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

test('users page: disable refuses the account\'s Basic auth over HTTP, enable restores it; a Moonraker scope binds at once', { skip: NO_CHROMIUM }, async () => {
  await mkUser(s, 'dora', 'dora-password-1');
  assert.equal((await s.req('GET', '/api/user', { headers: basic('dora', 'dora-password-1') })).status, 200);
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'admin', ADMIN_PASSWORD);
  await nav(page, 'Users');
  const row = page.locator('table[aria-label="Users"] tr[data-login="dora"]');
  assert.equal(await row.locator('td:nth-child(4)').textContent(), 'Active');
  await page.getByRole('button', { name: 'Disable dora' }).click();
  await page.getByRole('button', { name: 'Enable dora' }).waitFor();
  assert.equal(await row.locator('td:nth-child(4)').textContent(), 'Disabled', 'a disabled user\'s row says so');
  assert.equal((await s.req('GET', '/api/user', { headers: basic('dora', 'dora-password-1') })).status, 401, 'Basic auth refused');
  assert.notEqual((await s.req('POST', '/access/login', { body: { username: 'dora', password: 'dora-password-1' } })).status, 200, 'Moonraker login refused');

  // the Moonraker scope, picked in the row: a read-scoped user cannot list users on the Moonraker face
  await page.getByLabel('Moonraker scope of dora').selectOption('read');
  await page.waitForFunction(async () => (await (await fetch('/gatehouse/api/users?query=dora')).json()).users[0].scope === 'read');
  await shot(page, 'users-disabled');
  await page.getByRole('button', { name: 'Enable dora' }).click();
  await page.getByRole('button', { name: 'Disable dora' }).waitFor();
  assert.equal(await row.locator('td:nth-child(4)').textContent(), 'Active');
  assert.equal((await s.req('GET', '/api/user', { headers: basic('dora', 'dora-password-1') })).status, 200, 'enabled again');
  const ml = await s.req('POST', '/access/login', { body: { username: 'dora', password: 'dora-password-1' } });
  assert.equal(ml.status, 200, ml.text);
  const token = ml.json.result.token;
  assert.equal((await s.req('GET', '/access/user', { headers: bearer(token) })).status, 200, 'read is allowed');
  assert.equal((await s.req('GET', '/access/users/list', { headers: bearer(token) })).status, 403, 'admin is not (scope read)');

  // the last enabled server admin (the signed-in admin) has no Disable button of its own, and the server refuses it anyway
  assert.equal(await page.getByRole('button', { name: 'Disable admin' }).count(), 0);
  const sess = await page.evaluate(async () => (await fetch('/gatehouse/api/session')).json());
  const self = await page.evaluate(async (a) => (await fetch(`/gatehouse/api/users/${a.id}/disabled`, {
    method: 'PUT', headers: { 'content-type': 'application/json', 'x-gatehouse-csrf': a.csrf }, body: JSON.stringify({ isDisabled: true }),
  })).status, { id: sess.user.id, csrf: sess.csrfToken });
  assert.equal(self, 400, 'the last enabled server admin stays enabled (the core\'s one authority)');
  assertNoErrors(errors, [/status of 400/]);
  await context.close();
});

test('profile: a session revoked, then "sign out everywhere" ends another browser\'s session and a Moonraker login', { skip: NO_CHROMIUM }, async () => {
  await mkUser(s, 'sam', 'sam-password-1');
  const moonA = await s.req('POST', '/access/login', { body: { username: 'sam', password: 'sam-password-1' } });
  const moonB = await s.req('POST', '/access/login', { body: { username: 'sam', password: 'sam-password-1' } });
  assert.equal(moonB.status, 200, moonB.text);
  const other = await browser.newContext();
  const { page: otherPage } = await openPage(other);
  await signIn(otherPage, s, 'sam', 'sam-password-1');
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'sam', 'sam-password-1', '/#/profile');
  const rows = page.locator('table[aria-label="Active sessions"] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 4, 'two browsers and two Moonraker logins');
  assert.equal(await page.locator('table[aria-label="Active sessions"] em', { hasText: 'This session' }).count(), 1);
  assert.equal(await page.locator('table[aria-label="Active sessions"] td', { hasText: /^Moonraker login$/ }).count(), 2);
  await shot(page, 'profile-sessions');

  // revoke one Moonraker login: its token stops working, the other's does not
  await page.locator('table[aria-label="Active sessions"] tbody tr', { hasText: 'Moonraker login' }).first().getByRole('button', { name: /^Revoke/ }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Active sessions"] tbody tr').length === 3);
  const a = (await s.req('GET', '/access/user', { headers: bearer(moonA.json.result.token) })).status;
  const b = (await s.req('GET', '/access/user', { headers: bearer(moonB.json.result.token) })).status;
  assert.deepEqual([a, b].sort(), [200, 401], 'exactly one Moonraker login ended');

  // sign out everywhere: this page goes to sign in; the other browser and the Moonraker login are signed out
  await page.getByRole('button', { name: /^Sign out everywhere/ }).click();
  await Promise.all([page.waitForURL(/\/login\?redirectTo=/), page.getByRole('button', { name: 'Yes, sign out everywhere' }).click()]);
  assert.deepEqual(await otherPage.evaluate(async () => (await fetch('/gatehouse/api/session')).json()), { user: null }, 'the other browser is signed out');
  for (const t of [moonA, moonB]) assert.equal((await s.req('GET', '/access/user', { headers: bearer(t.json.result.token) })).status, 401);
  assertNoErrors(errors);
  await other.close();
  await context.close();
});

test('a named Moonraker key: created on the page and shown once, used with X-Api-Key within its scope, deleted and refused', { skip: NO_CHROMIUM }, async () => {
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await signIn(page, s, 'admin', ADMIN_PASSWORD);
  await nav(page, 'Moonraker keys');
  await page.getByText('No named keys yet.').waitFor();
  await page.getByLabel('Named key name').fill('octoprint-view');
  await page.getByLabel('Scope').selectOption('read');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.waitForSelector('#secret-value');
  const key = (await page.locator('#secret-value').textContent())!;
  assert.match(await page.locator('.warning').textContent() ?? '', /only once/);
  await page.locator('table[aria-label="Named Moonraker keys"] tr[data-key-name="octoprint-view"]').waitFor();
  assert.equal((await s.req('GET', '/access/user', { headers: { 'x-api-key': key } })).status, 200, 'the key from the page works');
  assert.equal((await s.req('GET', '/access/users/list', { headers: { 'x-api-key': key } })).status, 403, 'within its scope (read) only');
  await shot(page, 'moonraker-named-key');
  assert.equal(await page.locator('#secret-value').count(), 1);
  await page.reload();
  await page.locator('table[aria-label="Named Moonraker keys"] tr[data-key-name="octoprint-view"]').waitFor();
  assert.equal(await page.locator('#secret-value').count(), 0, 'shown once: not after a reload');

  await page.getByRole('button', { name: 'Delete Moonraker key octoprint-view' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByText('No named keys yet.').waitFor();
  assert.equal((await s.req('GET', '/access/user', { headers: { 'x-api-key': key } })).status, 401, 'the deleted key is refused');
  assertNoErrors(errors);
  await context.close();
});
