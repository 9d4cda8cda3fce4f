// Issue 17, finding 4 (medium): open redirect after login. The login page's
// script accepts a `redirectTo` that starts with "/" but not "//" or "/\",
// then hands it to location.assign(); the URL parser drops tabs and newlines,
// so `/%09/evil.example` ("/<TAB>/evil.example") passes the check and the
// browser lands on http://evil.example/ right after signing in.
// Expected: whatever `redirectTo` says, after a successful login the browser
// is on gatehouse's own origin (the target is parsed with the URL parser
// against the page's origin and only same-origin paths are followed; anything
// else goes to the default page). Tested in headless Chromium: every request
// to another host is answered by a local stub (and the browser resolves no
// name but loopback), so nothing leaves the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { Running } from '../../helpers/server.js';
import { ADMIN_PASSWORD, startGrafana } from '../../grafana/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
/** Raw (already percent-encoded) values of `redirectTo`. */
const OFF_SITE = [
  '/%09/evil.example', // tab
  '/%0A/evil.example', // newline
  '/%0D/evil.example', // carriage return
  '/%09%09/evil.example/path',
  '/%09%5Cevil.example', // "/<TAB>\evil.example"
  '/%5C/evil.example', // "/\/evil.example"
  '%2F%5Cevil.example', // "/\evil.example"
  '//evil.example',
  '%2F%2Fevil.example',
  '/%2F/evil.example', // "///evil.example"
  '/.//evil.example', // same origin as a URL, but its path "//evil.example" is not a path to hand to location
  '/%2E//evil.example',
  'https:evil.example',
  'https://evil.example/',
  '%09https://evil.example/',
  'javascript:alert(1)',
];

let s: Running;
let browser: Browser;
let shots: string;

before(async () => {
  shots = mkdtempSync(join(tmpdir(), 'gatehouse-redirect-shots-'));
  s = await startGrafana();
  if (existsSync(CHROMIUM)) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
  }
});
after(async () => {
  await browser?.close();
  await s?.stop();
  // screenshots stay in the test's temp dir only, and only when asked for
  if (!process.env.GATEHOUSE_KEEP_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
});

test('after signing in, the browser stays on gatehouse whatever redirectTo says', { skip: !existsSync(CHROMIUM) && 'chromium not installed' }, async () => {
  const own = new URL(s.base).origin;
  const offSite: string[] = [];
  const context = await browser.newContext();
  try {
    // anything not for gatehouse gets a stub page, never the network
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.origin === own) return route.continue();
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>evil</title><p id="evil">evil</p>' });
    });
    const page = await context.newPage();
    for (const [i, raw] of [...OFF_SITE, '%2Forg%2Fapikeys'].entries()) {
      await context.clearCookies();
      await page.goto(`${s.base}/login?redirectTo=${raw}`);
      await page.getByLabel('Email or username').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await Promise.all([
        page.waitForURL((u) => !(u.origin === own && u.pathname === '/login'), { timeout: 10_000 }),
        page.getByRole('button', { name: 'Log in' }).click(),
      ]);
      await page.waitForLoadState('load', { timeout: 10_000 });
      const landed = new URL(page.url());
      if (landed.origin !== own) {
        const shot = join(shots, `redirect-${i}.png`);
        await page.screenshot({ path: shot }).catch(() => {});
        offSite.push(`redirectTo=${raw} → ${page.url()} (screenshot ${shot}; set GATEHOUSE_KEEP_SCREENSHOTS=1 to keep it)`);
      }
      if (raw === '%2Forg%2Fapikeys') assert.equal(page.url(), `${s.base}/org/apikeys`, 'a same-origin target is still followed');
    }
  } finally {
    await context.close();
  }
  assert.deepEqual(offSite, [], 'signed in, then sent to another site');
});
