// The admin UI in gateway mode (docs/gateway.md): `/` is the upstream's, so the UI
// lives under the reserved prefix on the Moonraker listener, with its own sign-in
// and sign-out pages there; nothing of it reaches the upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, ADMIN_PASSWORD } from '../gateway/helpers.js';
import { assertNoErrors, launch, NO_CHROMIUM, openPage } from './helpers.js';

test('in gateway mode: /gatehouse/ → sign in under the prefix → back to the UI; sign out under the prefix', { skip: NO_CHROMIUM }, async () => {
  const g = await startGateway();
  const browser = await launch();
  try {
    const { page, errors } = await openPage(await browser.newContext());
    await page.goto(`${g.s.base}/gatehouse/#/users`);
    await page.waitForURL(/\/gatehouse\/login\?redirectTo=%2Fgatehouse%2F%23%2Fusers$/);
    await page.getByLabel('Email or username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(`${g.s.base}/gatehouse/#/users`), page.getByRole('button', { name: 'Log in' }).click()]);
    await page.waitForSelector('main h1:text-is("Users")');
    await page.locator('table[aria-label="Users"] td', { hasText: /^admin$/ }).waitFor();
    await Promise.all([page.waitForURL(`${g.s.base}/gatehouse/login`), page.getByRole('link', { name: 'Sign out' }).click()]);
    assertNoErrors(errors);
    assert.deepEqual(g.up.requests.map((r) => r.url), [], 'nothing went to the upstream');
  } finally {
    await browser.close();
    await g.stop();
  }
});
