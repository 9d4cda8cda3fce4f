// Issue 16, point 3: `[gatehouse] trusted_proxies`. Behind nginx every request
// arrives from the proxy's address; only from a trusted proxy does the client
// address come from X-Forwarded-For (the rightmost hop that is not itself a
// trusted proxy), X-Real-IP or Forwarded, and every address check sees it:
// trusted_clients, the oneshot token's same-address rule, the per-address
// login limits, the audit trail and the websocket. From any other peer the
// headers are ignored. 127.0.0.2 plays the proxy, 127.0.0.3 the spoofer.
// (Moonraker itself believes X-Forwarded-For / X-Real-IP from anyone: Tornado
// xheaders=True, see docs/notes/moonraker-args-and-secrets.md §5.)
//
// The servers start lazily, inside the first test that needs one (a
// configuration that does not load then fails that test, not a hook).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFromConfig, type Running } from '../helpers/server.js';
import { assertError, bearer, createUser, reqFrom, resultOf, type Reply } from './helpers.js';
import { RpcClient } from '../websocket/client.js';

const PROXY = '127.0.0.2';
const SPOOFER = '127.0.0.3';

// The configurations, in the config file's own names.
const SHIPPED_WITH_TRUSTED_CLIENT = `[authorization]
trusted_clients: 10.0.0.7
`;
const BEHIND_PROXY = (dataDir: string) => `[gatehouse]
trusted_proxies:
    ${PROXY}
    10.255.0.0/16
[authorization]
trusted_clients:
    10.0.0.7
    2001:db8::/32
max_login_attempts: 2
[audit]
json_lines_file: ${join(dataDir, 'audit.jsonl')}
`;
// The usual Raspberry Pi set-up: nginx on the same host, the whole loopback range trusted.
const PROXY_ON_A_TRUSTED_ADDRESS = `[gatehouse]
trusted_proxies: ${PROXY}
[authorization]
trusted_clients: 127.0.0.0/8
[limits]
login_attempts_per_ip: 2
`;

/** A server started by the first test that asks for it (so a configuration that does not load fails that test, not a hook). */
function lazy(ini: string | ((dataDir: string) => string)) {
  let started: Promise<Running> | undefined;
  return {
    get: () => (started ??= startFromConfig(ini)),
    stop: async () => { await (await started?.catch(() => undefined))?.stop(); },
  };
}

const xff = (v: string) => ({ 'x-forwarded-for': v });
const info = (s: Running, from: string, headers: Record<string, string>) => reqFrom(s, from, 'GET', '/access/info', headers);
const whoFrom = (s: Running, from: string, headers: Record<string, string>) => reqFrom(s, from, 'GET', '/access/user', headers);

/** The caller is trusted: /access/info says so and /access/user acts as _TRUSTED_USER_. */
async function assertTrusted(s: Running, from: string, headers: Record<string, string>) {
  const what = `${from} ${JSON.stringify(headers)}`;
  assert.equal(resultOf(await info(s, from, headers)).trusted, true, what);
  assert.equal(resultOf(await whoFrom(s, from, headers)).username, '_TRUSTED_USER_', what);
}

/** The caller is not trusted: 401 "Unauthorized", and /access/info does not call it trusted. */
async function assertNotTrusted(s: Running, from: string, headers: Record<string, string>) {
  const what = `${from} ${JSON.stringify(headers)}`;
  const i = await info(s, from, headers);
  assert.ok(i.status !== 200 || i.json.result.trusted === false, `${what}: ${i.status} ${i.text}`);
  const r = await whoFrom(s, from, headers);
  assert.equal(r.status, 401, `${what}: ${r.status} ${r.text}`);
}

describe('shipped default: trusted_proxies is empty, so forwarding headers are ignored from everyone', () => {
  const server = lazy(SHIPPED_WITH_TRUSTED_CLIENT);
  after(() => server.stop());

  test('X-Forwarded-For, X-Real-IP and Forwarded naming a trusted client do not make any peer trusted', async () => {
    const s = await server.get();
    for (const from of [PROXY, SPOOFER, '127.0.0.1']) {
      for (const h of [xff('10.0.0.7'), { 'x-real-ip': '10.0.0.7' }, { forwarded: 'for=10.0.0.7' }, { ...xff('10.0.0.7'), 'x-real-ip': '10.0.0.7' }] as Record<string, string>[]) {
        await assertNotTrusted(s, from, h);
      }
    }
  });
});

describe('trusted_proxies: 127.0.0.2 and 10.255.0.0/16', () => {
  const server = lazy(BEHIND_PROXY);
  after(() => server.stop());
  let ann: { token: string } | undefined;
  const annToken = async (s: Running) => (ann ??= await createUser(s, 'ann', 'ann-pass')).token;

  test('trusted_clients see the client the proxy names in X-Forwarded-For; the proxy itself is just another address', async () => {
    const s = await server.get();
    await assertTrusted(s, PROXY, xff('10.0.0.7'));
    await assertNotTrusted(s, PROXY, xff('10.0.0.8'));
    await assertNotTrusted(s, PROXY, {});
  });

  test('X-Forwarded-For: the rightmost hop that is not a trusted proxy is the client; what the client wrote further left is not believed', async () => {
    const s = await server.get();
    await assertNotTrusted(s, PROXY, xff('10.0.0.7, 10.0.0.8')); // 10.0.0.8 sent "X-Forwarded-For: 10.0.0.7", nginx appended 10.0.0.8
    await assertTrusted(s, PROXY, xff('10.0.0.8, 10.0.0.7'));
    await assertTrusted(s, PROXY, xff('10.0.0.7, 10.255.3.4')); // 10.255.3.4 is a trusted proxy in front of this one: skipped
    await assertTrusted(s, PROXY, xff(`10.0.0.7,${PROXY}`));
    await assertNotTrusted(s, PROXY, xff('10.0.0.7, 10.0.0.8, 10.255.3.4'));
  });

  test('X-Real-IP and Forwarded (RFC 7239, IPv6 included) from a trusted proxy name the client too', async () => {
    const s = await server.get();
    await assertTrusted(s, PROXY, { 'x-real-ip': '10.0.0.7' });
    await assertNotTrusted(s, PROXY, { 'x-real-ip': '10.0.0.8' });
    await assertTrusted(s, PROXY, { forwarded: 'for=10.0.0.7;proto=http' });
    await assertNotTrusted(s, PROXY, { forwarded: 'for=10.0.0.7, for=10.0.0.8' });
    await assertTrusted(s, PROXY, { forwarded: 'for="[2001:db8::7]:4711"' });
  });

  test('from a peer that is not a trusted proxy the headers are ignored: the spoofer stays itself', async () => {
    const s = await server.get();
    for (const h of [xff('10.0.0.7'), { 'x-real-ip': '10.0.0.7' }, { forwarded: 'for=10.0.0.7' }, xff('10.0.0.7, 127.0.0.2')] as Record<string, string>[]) {
      await assertNotTrusted(s, SPOOFER, h);
    }
  });

  test('oneshot tokens: the same-address rule compares the forwarded client addresses', async () => {
    const s = await server.get();
    const auth = bearer(await annToken(s));
    const issue = async () => resultOf(await reqFrom(s, PROXY, 'GET', '/access/oneshot_token', { ...auth, ...xff('10.0.0.9') })) as string;
    const use = (from: string, headers: Record<string, string>, token: string) => reqFrom(s, from, 'GET', `/access/user?token=${token}`, headers);
    assert.equal(resultOf(await use(PROXY, xff('10.0.0.9'), await issue())).username, 'ann', 'the client that asked for it, through the proxy');
    assertError(await use(PROXY, xff('10.0.0.10'), await issue()), 401, 'Unauthorized'); // another client behind the same proxy
    assertError(await use(PROXY, {}, await issue()), 401, 'Unauthorized'); // the proxy itself
    assertError(await use(SPOOFER, xff('10.0.0.9'), await issue()), 401, 'Unauthorized'); // a spoofer naming the client
  });

  test('the websocket sees the forwarded client: trusted on upgrade, access.info, and a oneshot token from the same client', async () => {
    const s = await server.get();
    const open = (from: string, headers: Record<string, string>, query?: Record<string, string>) => RpcClient.open(s.port, { localAddress: from, headers, query });
    const sockets: RpcClient[] = [];
    try {
      const trusted = await open(PROXY, xff('10.0.0.7'));
      sockets.push(trusted);
      assert.equal((await trusted.result('access.get_user')).username, '_TRUSTED_USER_');
      assert.equal((await trusted.result('access.info')).trusted, true);
      const other = await open(PROXY, xff('10.0.0.8'));
      sockets.push(other);
      assert.deepEqual((await other.call('access.get_user')).error, { code: -32602, message: 'Unauthorized' });
      assert.equal((await other.result('access.info')).trusted, false);
      const spoofer = await open(SPOOFER, xff('10.0.0.7'));
      sockets.push(spoofer);
      assert.deepEqual((await spoofer.call('access.get_user')).error, { code: -32602, message: 'Unauthorized' });
      const token = resultOf(await reqFrom(s, PROXY, 'GET', '/access/oneshot_token', { ...bearer(await annToken(s)), ...xff('10.0.0.9') }));
      const viaToken = await open(PROXY, xff('10.0.0.9'), { token });
      sockets.push(viaToken);
      assert.equal((await viaToken.result('access.get_user')).username, 'ann');
    } finally {
      for (const c of sockets) await c.close();
    }
  });

  test('the audit trail records the forwarded client address from the proxy, and the spoofer\'s own address', async () => {
    const s = await server.get();
    await createUser(s, 'audra', 'audra-pass');
    resultOf(await reqFrom(s, PROXY, 'POST', '/access/login', xff('10.0.0.7'), { username: 'audra', password: 'audra-pass' }));
    resultOf(await reqFrom(s, SPOOFER, 'POST', '/access/login', xff('10.0.0.7'), { username: 'audra', password: 'audra-pass' }));
    const logins = readFileSync(join(s.dataDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .filter((e) => e.event === 'login_ok' && e.username === 'audra');
    assert.deepEqual(logins.map((e) => e.ip), ['10.0.0.7', SPOOFER]);
  });

  // After the audit test: the spoofer's own address is locked out of login from here on.
  test('max_login_attempts counts per forwarded client: one client locked out, another behind the same proxy not; the spoofer cannot dodge it', async () => {
    const s = await server.get();
    await annToken(s);
    const login = (from: string, client: string, password: string): Promise<Reply> =>
      reqFrom(s, from, 'POST', '/access/login', xff(client), { username: 'ann', password });
    assertError(await login(PROXY, '10.0.0.30', 'wrong'), 400, 'Invalid Password');
    assertError(await login(PROXY, '10.0.0.30', 'wrong'), 400, 'Invalid Password');
    assertError(await login(PROXY, '10.0.0.30', 'ann-pass'), 401, 'Unauthorized, Maximum Login Attempts Reached');
    assert.equal(resultOf(await login(PROXY, '10.0.0.31', 'ann-pass')).username, 'ann');
    assertError(await login(SPOOFER, '10.0.0.40', 'wrong'), 400, 'Invalid Password');
    assertError(await login(SPOOFER, '10.0.0.41', 'wrong'), 400, 'Invalid Password');
    assertError(await login(SPOOFER, '10.0.0.42', 'ann-pass'), 401, 'Unauthorized, Maximum Login Attempts Reached');
  });
});

describe('trusted_proxies with the proxy on a trusted address (nginx on the printer, 127.0.0.0/8 trusted)', () => {
  const server = lazy(PROXY_ON_A_TRUSTED_ADDRESS);
  after(() => server.stop());

  test('a remote client through the proxy is not trusted because the proxy is; neither is a hop that is not an address', async () => {
    const s = await server.get();
    await assertTrusted(s, PROXY, xff('127.0.0.9'));
    await assertNotTrusted(s, PROXY, xff('203.0.113.9'));
    await assertNotTrusted(s, PROXY, { 'x-real-ip': '203.0.113.9' });
    await assertNotTrusted(s, PROXY, xff('garbage'));
    await assertNotTrusted(s, PROXY, xff('127.0.0.9, garbage'));
  });

  test('[limits] login_attempts_per_ip counts per forwarded client; the spoofer is counted at its own address', async () => {
    const s = await server.get();
    await createUser(s, 'bea', 'bea-pass');
    const login = (from: string, client: string, password: string): Promise<Reply> =>
      reqFrom(s, from, 'POST', '/access/login', xff(client), { username: 'bea', password });
    const locked = 'Too many failed login attempts from this address; try again in up to 300 seconds';
    assertError(await login(PROXY, '203.0.113.50', 'wrong'), 400, 'Invalid Password');
    assertError(await login(PROXY, '203.0.113.50', 'wrong'), 400, 'Invalid Password');
    assertError(await login(PROXY, '203.0.113.50', 'bea-pass'), 429, locked);
    assert.equal(resultOf(await login(PROXY, '203.0.113.51', 'bea-pass')).username, 'bea');
    assertError(await login(SPOOFER, '203.0.113.60', 'wrong'), 400, 'Invalid Password');
    assertError(await login(SPOOFER, '203.0.113.61', 'wrong'), 400, 'Invalid Password');
    assertError(await login(SPOOFER, '203.0.113.62', 'bea-pass'), 429, locked);
  });
});
