// Issue 17, tidy: login CSRF on the Grafana face's `POST /login`. The form
// login reads a text/plain body as JSON (as Grafana's web.Bind does), so a
// form on another site (enctype="text/plain", a field named
// `{"user":"mallory","password":"…","x":"` with value `"}`) signs the victim's
// browser in to the attacker's account, and whatever the victim then does
// (creating keys, say) happens in that account.
// Expected: a `POST /login` whose Origin names another site (or is "null") is
// refused with 403 (Grafana's CSRF wording: `{"message":"origin not allowed"}`)
// and sets no session cookie. Same-origin logins (the login page) and logins
// without an Origin (API clients) keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startGrafana } from '../../grafana/helpers.js';
import { send } from './helpers.js';

const setsSession = (h: Record<string, unknown>) =>
  ([] as string[]).concat((h['set-cookie'] as string[] | undefined) ?? []).some((c) => /^grafana_session=[^;]+/.test(c) && !/^grafana_session=;/.test(c));

test('a cross-site form cannot sign the browser in (POST /login checks the Origin)', async () => {
  const s = await startGrafana();
  try {
    const body = JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD });
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${s.port + 1}`]) {
      for (const type of ['text/plain', 'text/plain; charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const r = await send(s.port, { method: 'POST', path: '/login', headers: { origin, 'content-type': type }, raw: body });
        assert.ok(!setsSession(r.headers), `POST /login from ${origin} as ${type} set a session cookie (${r.status} ${r.text})`);
        assert.notEqual(r.status, 200, `POST /login from ${origin} as ${type}: ${r.text}`);
      }
      const plain = await send(s.port, { method: 'POST', path: '/login', headers: { origin, 'content-type': 'text/plain' }, raw: body });
      assert.equal(plain.status, 403, `POST /login from ${origin}: ${plain.status} ${plain.text}`);
      assert.equal(typeof plain.json?.message, 'string', plain.text);
    }

    // must hold: the login page (same origin) and API clients (no Origin) sign in
    const own = await send(s.port, { method: 'POST', path: '/login', headers: { origin: `http://127.0.0.1:${s.port}` }, json: { user: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(own.status, 200, own.text);
    assert.ok(setsSession(own.headers), 'same-origin login sets the session cookie');
    const api = await send(s.port, { method: 'POST', path: '/login', json: { user: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(api.status, 200, api.text);
    assert.ok(setsSession(api.headers));
  } finally {
    await s.stop();
  }
});
