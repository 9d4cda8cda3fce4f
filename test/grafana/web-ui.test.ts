// The API Keys page in a real browser (headless Chromium through playwright-core):
// log in through the form, create a key, see it listed, delete it, log out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { Running } from '../helpers/server.js';
import { ADMIN_PASSWORD, bearer, startGrafana } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
let browser: Browser;
let s: Running;

before(async () => {
  s = await startGrafana();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

test('log in, create a key, see it listed, use it, delete it, log out', { skip: !existsSync(CHROMIUM) && 'chromium not installed' }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  // not signed in: the page sends the browser to the login form
  await page.goto(`${s.base}/org/apikeys`);
  assert.match(page.url(), /\/login\?redirectTo=%2Forg%2Fapikeys$/);

  // a wrong password shows Grafana's message
  await page.fill('#user', 'admin');
  await page.fill('#password', 'wrong');
  await page.click('#login-submit');
  await page.waitForSelector('#login-error:not([hidden])');
  assert.equal(await page.textContent('#login-error'), 'Invalid username or password');

  await page.fill('#password', ADMIN_PASSWORD);
  await Promise.all([page.waitForURL(`${s.base}/org/apikeys`), page.click('#login-submit')]);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'grafana_session');
  assert.ok(session?.httpOnly, 'session cookie is HttpOnly');
  await page.waitForFunction("document.getElementById('org-name').textContent.includes('Main Org.')");
  assert.equal(await page.isVisible('#no-keys'), true);

  // create
  await page.fill('#key-name', 'from-the-browser');
  await page.selectOption('#key-role', 'Editor');
  await page.fill('#key-ttl', '3600');
  await page.click('#create-submit');
  await page.waitForSelector('#new-key:not([hidden])');
  const key = (await page.textContent('#new-key-value'))!;
  assert.ok(key.startsWith('eyJr'), key);
  await page.waitForSelector('#keys tbody tr');
  const row = await page.$$eval('#keys tbody tr td', (tds) => tds.slice(0, 2).map((td) => td.textContent));
  assert.deepEqual(row, ['from-the-browser', 'Editor']);
  // the key shown works on the API
  assert.equal((await s.req('GET', '/api/org', { headers: bearer(key) })).status, 200);

  // a duplicate name shows the API's message
  await page.fill('#key-name', 'from-the-browser');
  await page.click('#create-submit');
  await page.waitForSelector('#page-error:not([hidden])');
  assert.equal(await page.textContent('#page-error'), 'API key, organization ID and name must be unique');

  // delete
  await page.click('button[aria-label="Delete from-the-browser"]');
  await page.waitForSelector('#no-keys:not([hidden])');
  assert.equal(await page.$$eval('#keys tbody tr', (rows) => rows.length), 0);
  assert.equal((await s.req('GET', '/api/org', { headers: bearer(key) })).status, 401, 'deleted key refused');

  // log out: back to the login form, and the page is closed again
  await Promise.all([page.waitForURL(/\/login$/), page.click('#logout')]);
  await page.goto(`${s.base}/org/apikeys`);
  assert.match(page.url(), /\/login\?redirectTo=/);
  assert.deepEqual(errors.filter((e) => !/401|Failed to load resource/.test(e)), [], 'no script or CSP errors');
});
