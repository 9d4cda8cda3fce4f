// An LDAP account (a real slapd) signs in to the admin UI through the sign-in page:
// a wrong password shows the server's message, the right one opens its profile,
// marked as an LDAP account and without a password form (the directory owns it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGrafana } from '../grafana/helpers.js';
import { startSlapd } from '../ldap/slapd.js';
import { withLdap } from '../ldap/helpers.js';
import { assertNoErrors, launch, NO_CHROMIUM, openPage, signIn } from './helpers.js';

test('an LDAP user signs in to the UI by label and sees its profile', { skip: NO_CHROMIUM }, async () => {
  const slapd = await startSlapd();
  const s = await startGrafana(withLdap(slapd));
  const browser = await launch();
  try {
    const { page, errors } = await openPage(await browser.newContext());
    await page.goto(`${s.base}/login`);
    await page.getByLabel('Email or username').fill('bob');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#login-error:not([hidden])').waitFor();
    assert.equal(await page.locator('#login-error').textContent(), 'Invalid username or password');

    await signIn(page, s, 'bob', 'bob-pw', '/#/profile');
    assert.equal(await page.locator('main h1').textContent(), 'Profile');
    assert.equal(await page.locator('.facts dd').nth(2).textContent(), 'ldap');
    assert.equal(await page.getByLabel('Current password').count(), 0, 'no password form for a directory account');
    assertNoErrors(errors, [/status of 401/]); // the wrong password, on purpose
  } finally {
    await browser.close();
    await s.stop();
    await slapd.close();
  }
});
