// CSRF in a real browser: a page on another origin of the same site (another port of
// 127.0.0.1: the session cookie goes with its requests, SameSite does not stop them)
// tries to rotate Moonraker's key and to create an API key with the signed-in
// admin's cookie: a form post (no CSRF header) and a fetch with credentials (its
// custom header needs a CORS preflight gatehouse never grants). Both are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_PASSWORD, admin, startGrafana } from '../grafana/helpers.js';
import { launch, NO_CHROMIUM, openPage, signIn } from './helpers.js';

const attackerPage = (target: string) => `<!doctype html><title>cat pictures</title>
<form id="f" method="POST" action="${target}/gatehouse/api/moonraker/api-key" enctype="text/plain"><input name='{"a":"' value='"}'></form>
<iframe name="sink"></iframe>
<script>
  fetch('${target}/gatehouse/api/grafana/api/auth/keys', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'x-gatehouse-csrf': 'guess' }, body: JSON.stringify({ name: 'stolen', role: 'Admin' }) })
    .then(() => { document.title = 'fetch answered'; }, () => { document.title = 'fetch refused'; })
    .finally(() => { const f = document.getElementById('f'); f.target = 'sink'; f.submit(); });
</script>`;

test('a page on another origin cannot change anything with the signed-in session', { skip: NO_CHROMIUM }, async () => {
  const s = await startGrafana();
  const attacker = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage(s.base)));
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const { page } = await openPage(context);
    await signIn(page, s, 'admin', ADMIN_PASSWORD);
    const key = s.apiKey();
    const posts: { url: string; status: number }[] = [];
    const evil = await context.newPage();
    evil.on('response', (r) => { if (r.request().method() === 'POST') posts.push({ url: r.url(), status: r.status() }); });
    await evil.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    await evil.waitForFunction(() => document.title === 'fetch refused' || document.title === 'fetch answered');
    assert.equal(await evil.title(), 'fetch refused', 'the preflight of the fetch with a custom header failed');
    await evil.waitForEvent('response', { predicate: (r) => r.url().endsWith('/gatehouse/api/moonraker/api-key'), timeout: 10_000 }).catch(() => {});
    assert.deepEqual(posts.filter((p) => p.url.endsWith('/moonraker/api-key')).map((p) => p.status), [403], 'the form post reached gatehouse and was refused');
    assert.equal(s.apiKey(), key, 'the Moonraker key was not rotated');
    assert.equal((await s.req('GET', '/api/auth/keys', { headers: admin() })).json.length, 0, 'no API key was made');
  } finally {
    await browser.close();
    await new Promise((r) => attacker.close(r));
    await s.stop();
  }
});
