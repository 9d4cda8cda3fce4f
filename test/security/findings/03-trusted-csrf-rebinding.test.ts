// Issue 17, finding 3 (medium): trusted-client CSRF and DNS rebinding. A
// trusted address needs no credential, so any page its browser opens can act
// for it: a cross-site "simple" POST (a form: text/plain or
// application/x-www-form-urlencoded, arguments in the query string) creates
// users and rotates the API key; and a page on a name the attacker rebinds to
// the printer's address (Host: evil.example) reads the API key, over HTTP or
// the websocket.
//
// Expected: a state-changing request authenticated only by the trusted address
// is refused with 403 (Moonraker's envelope) unless its Origin (or Referer) is
// the server's own, or it is JSON (a content type a form cannot send);
// a request whose Host is not one of the server's names (`[authorization]
// allowed_hosts`, default: the listen address, localhost and the machine's
// names) gets no trusted-address authentication (401 or 403, and no key).
// Same-origin and JSON requests from the trusted address, and requests with
// the API key or a JWT, keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../../helpers/server.js';
import { RpcClient } from '../../websocket/client.js';
import { send, within } from './helpers.js';

// ---- option overrides ([authorization] trusted_clients = 127.0.0.8) ----
const TRUSTED = '127.0.0.8';
const OVERRIDES = { authorization: { trusted_clients: [TRUSTED] } };
const EVIL = 'http://evil.example';

async function userNames(s: Running): Promise<string[]> {
  const r = await s.req('GET', '/access/users/list', { headers: { 'x-api-key': s.apiKey() } });
  assert.equal(r.status, 200, r.text);
  return r.json.result.users.map((u: { username: string }) => u.username);
}

test('a trusted address is not a credential for a cross-site form or a foreign Host name', async () => {
  const s = await startGatehouse(OVERRIDES);
  try {
    const own = `http://127.0.0.1:${s.port}`;
    const key0 = s.apiKey();

    // ---- cross-site simple POSTs (what a form on evil.example can send) ----
    const forms: [string, Record<string, string>, string][] = [
      ['text/plain', { 'content-type': 'text/plain', origin: EVIL }, 'x=1'],
      ['urlencoded', { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL }, 'x=1'],
      ['urlencoded, Referer only', { 'content-type': 'application/x-www-form-urlencoded', referer: `${EVIL}/page` }, 'x=1'],
      ['urlencoded, Origin null (sandboxed frame)', { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' }, 'x=1'],
    ];
    for (const [i, [what, headers, raw]] of forms.entries()) {
      const name = `csrf${i}`;
      const create = await send(s.port, { method: 'POST', path: `/access/user?username=${name}&password=pw-${name}`, headers, raw, localAddress: TRUSTED });
      assert.equal(create.status, 403, `cross-site POST /access/user (${what}): ${create.status} ${create.text}`);
      assert.equal(create.json?.error?.code, 403, create.text);
      assert.ok(!(await userNames(s)).includes(name), `cross-site POST /access/user (${what}) created ${name}`);

      const rotate = await send(s.port, { method: 'POST', path: '/access/api_key', headers, raw, localAddress: TRUSTED });
      assert.equal(rotate.status, 403, `cross-site POST /access/api_key (${what}): ${rotate.status} ${rotate.text}`);
      assert.equal(s.apiKey(), key0, `cross-site POST /access/api_key (${what}) rotated the key`);
    }
    // the JSON-RPC twin over a cross-site form is not possible (a websocket from another origin is refused today)

    // ---- DNS rebinding: the same address, under the attacker's name ----
    for (const host of ['evil.example', `evil.example:${s.port}`]) {
      const read = await send(s.port, { method: 'GET', path: '/access/api_key', headers: { host }, localAddress: TRUSTED });
      assert.ok(read.status === 401 || read.status === 403, `GET /access/api_key with Host: ${host}: ${read.status} ${read.text}`);
      assert.ok(!read.text.includes(key0), `GET /access/api_key with Host: ${host} showed the key`);
      const create = await send(s.port, { method: 'POST', path: '/access/user', headers: { host }, json: { username: 'rebound', password: 'pw-rebound' }, localAddress: TRUSTED });
      assert.ok(create.status === 401 || create.status === 403, `POST /access/user with Host: ${host}: ${create.status} ${create.text}`);
      assert.ok(!(await userNames(s)).includes('rebound'), `POST /access/user with Host: ${host} created a user`);
    }
    // the websocket: a page on the rebound name is "same origin" with its own Host
    let wsKey: unknown = 'refused';
    try {
      const c = await RpcClient.open(s.port, { localAddress: TRUSTED, headers: { host: `evil.example:${s.port}`, origin: `http://evil.example:${s.port}` } });
      try {
        const a = await c.call('access.get_api_key');
        wsKey = a.result;
      } finally {
        await within(c.close(), 3000);
      }
    } catch (err) {
      assert.ok((err as { status?: number }).status !== undefined, `websocket upgrade failed oddly: ${err}`);
    }
    assert.notEqual(wsKey, key0, 'a websocket opened under a rebound Host name read the API key');

    // ---- must hold ----
    // the trusted address, same-origin (Mainsail on the printer) or JSON without an Origin (a script on the host)
    const sameOrigin = await send(s.port, { method: 'POST', path: '/access/user', headers: { origin: own }, json: { username: 'mainsail', password: 'pw-mainsail' }, localAddress: TRUSTED });
    assert.equal(sameOrigin.status, 200, `same-origin POST from the trusted address: ${sameOrigin.text}`);
    const noOrigin = await send(s.port, { method: 'POST', path: '/access/user', json: { username: 'script', password: 'pw-script' }, localAddress: TRUSTED });
    assert.equal(noOrigin.status, 200, `JSON POST from the trusted address: ${noOrigin.text}`);
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`]) {
      const read = await send(s.port, { method: 'GET', path: '/access/api_key', headers: { host }, localAddress: TRUSTED });
      assert.equal(read.status, 200, `GET /access/api_key from the trusted address with Host: ${host}: ${read.text}`);
      assert.equal(read.json.result, s.apiKey());
    }
    const ws = await RpcClient.open(s.port, { localAddress: TRUSTED });
    try {
      assert.equal(await ws.result('access.get_api_key'), s.apiKey(), 'the trusted address over the websocket');
    } finally {
      await within(ws.close(), 3000);
    }
    // a credential is not ambient: the API key and a JWT work whatever the Origin, Host or content type
    const withKey = await send(s.port, { method: 'GET', path: '/access/api_key', headers: { host: 'evil.example', 'x-api-key': s.apiKey() }, localAddress: TRUSTED });
    assert.equal(withKey.status, 200, `X-Api-Key with a foreign Host: ${withKey.text}`);
    const jwt = sameOrigin.json.result.token;
    const rotated = await send(s.port, { method: 'POST', path: '/access/api_key', headers: { authorization: `Bearer ${jwt}`, origin: EVIL, 'content-type': 'text/plain' }, raw: 'x' });
    assert.equal(rotated.status, 200, `a JWT-authenticated rotation: ${rotated.text}`);
    assert.notEqual(s.apiKey(), key0);
  } finally {
    await s.stop();
  }
});

test('[authorization] allowed_hosts replaces the default names (with or without a port); an IP literal Host is always allowed', async () => {
  // [authorization] allowed_hosts = printer.example, other.example:8080 (the option under test)
  const s = await startGatehouse({ authorization: { trusted_clients: [TRUSTED], allowed_hosts: ['printer.example', 'other.example:8080'] } });
  try {
    const read = (host: string) => send(s.port, { method: 'GET', path: '/access/api_key', headers: { host }, localAddress: TRUSTED });
    for (const host of ['printer.example', `PRINTER.example:${s.port}`, 'printer.example.', 'other.example:8080', `127.0.0.1:${s.port}`, '[::1]:7125', '192.168.1.50']) {
      const r = await read(host);
      assert.equal(r.status, 200, `Host: ${host}: ${r.text}`);
    }
    for (const host of [`localhost:${s.port}`, 'other.example:8081', 'other.example', 'evil.example']) {
      const r = await read(host);
      assert.equal(r.status, 401, `Host: ${host}: ${r.text}`);
    }
  } finally {
    await s.stop();
  }
});
