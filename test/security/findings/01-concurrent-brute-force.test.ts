// Issue 17, finding 1 (high): the Grafana face's brute-force protection is
// bypassed by concurrency, ignores [limits], and counts the login name and the
// e-mail address as two budgets. Its rule is checked before the password hash
// and the failure recorded only after it, with attempts in flight not
// counted: 30 concurrent wrong guesses for one account all get a password
// check (the rule allows 5) and the right password sent last in the burst gets
// 200. `[limits] login_attempts_per_ip` does not apply to it at all, and the
// rule is keyed on the typed login.
//
// Expected (the fix: one limiter for every password check on every face —
// Basic, POST /login, /access/login, the websocket's access.login — holding a
// place for attempts in flight, keyed on the resolved account and on the
// address): however the guesses are spread over faces, connections and
// addresses, no more password checks run than the limit allows, and the right
// password sent behind them is refused (401 on the Grafana face, as Grafana's
// locked login answers, or 429; 429 on the Moonraker face). Password checks
// are counted black-box in the audit trail (`gatehouse audit --json --event
// login_failed`): one `login_failed` per password check that ran and failed.
//
// Not asserted here: the bounded hash queue (attempts beyond it refused, not
// queued); its bound is the fix's choice (see docs/notes/security-findings.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../../helpers/server.js';
import { ADMIN_PASSWORD, mkUser } from '../../grafana/helpers.js';
import { RpcClient } from '../../websocket/client.js';
import { auditTrail, basicAuth, passwordChecksFailed, refused, send, type RawRequest, type Reply, within } from './helpers.js';

// ---- option overrides ----
// [limits] login_attempts_per_user = 5: the same as Grafana's own rule
// ([security] brute_force_login_protection_max_attempts, default 5), so the
// bound is 5 whichever rule the fix applies to the Grafana face.
const PER_USER = 5;
const SAME_LIMIT = { limits: { login_attempts_per_user: PER_USER } };
// [limits] login_attempts_per_ip = 8 (per-user high, so only the address limit binds)
const PER_IP = 8;
const IP_LIMIT = { limits: { login_attempts_per_ip: PER_IP, login_attempts_per_user: 1000 } };

const BURST = 30;
/** 127.0.0.10, 127.0.0.11, …: a different client machine for each guess. */
const addr = (i: number) => `127.0.0.${10 + i}`;

/**
 * Fires `wrong` requests at once (each on its own connection), then, once every
 * one of them is on the wire, `last`: the right password, last in the burst.
 */
async function burst(port: number, wrong: RawRequest[], last: () => Promise<Reply>): Promise<{ wrong: Reply[]; last: Reply }> {
  let onWire = 0;
  let allOnWire!: () => void;
  const sent = new Promise<void>((r) => { allOnWire = r; });
  const replies = wrong.map((o) => send(port, { ...o, onSent: () => { if (++onWire === wrong.length) allOnWire(); } }));
  await within(sent, 5000);
  const final = last();
  return { wrong: await Promise.all(replies), last: await final };
}

async function checksFor(s: Running, names: string[]) {
  return (await passwordChecksFailed(s, names)).length;
}

test('Basic auth: 30 concurrent wrong guesses for one account, the right password last: at most 5 password checks, and the right password is refused', async () => {
  const s = await startGatehouse(SAME_LIMIT);
  try {
    await mkUser(s, 'victim', 'right-password');
    const wrong = Array.from({ length: BURST - 1 }, (_, i): RawRequest => ({
      method: 'GET', path: '/api/org', localAddress: addr(i), headers: basicAuth('victim', `guess-${i}`),
    }));
    const r = await burst(s.port, wrong, () => send(s.port, { method: 'GET', path: '/api/org', localAddress: addr(BURST), headers: basicAuth('victim', 'right-password') }));
    assert.ok(r.wrong.every((x) => x.status !== 200), 'a wrong guess got in');
    assert.ok(refused(r.last.status), `the right password, sent last in the burst: ${r.last.status} ${r.last.text}`);
    const checks = await checksFor(s, ['victim']);
    assert.ok(checks <= PER_USER, `${checks} password checks ran for one account (the limit is ${PER_USER})`);
  } finally {
    await s.stop();
  }
});

test('POST /login: 30 concurrent wrong guesses, the right password last: at most 5 password checks, and no session for the right password', async () => {
  const s = await startGatehouse(SAME_LIMIT);
  try {
    await mkUser(s, 'victim', 'right-password');
    const wrong = Array.from({ length: BURST - 1 }, (_, i): RawRequest => ({
      method: 'POST', path: '/login', localAddress: addr(i), json: { user: 'victim', password: `guess-${i}` },
    }));
    const r = await burst(s.port, wrong, () => send(s.port, { method: 'POST', path: '/login', localAddress: addr(BURST), json: { user: 'victim', password: 'right-password' } }));
    assert.ok(r.wrong.every((x) => x.status !== 200), 'a wrong guess got in');
    assert.ok(refused(r.last.status), `the right password, sent last in the burst: ${r.last.status} ${r.last.text}`);
    const checks = await checksFor(s, ['victim']);
    assert.ok(checks <= PER_USER, `${checks} password checks ran for one account (the limit is ${PER_USER})`);
    assert.ok(!String(r.last.headers['set-cookie'] ?? '').includes('grafana_session='), 'a session was opened');
  } finally {
    await s.stop();
  }
});

test('one budget across faces: a burst split between Grafana Basic auth and the Moonraker websocket\'s access.login runs at most 5 password checks; the right password (last, on the websocket) is refused', async () => {
  const s = await startGatehouse(SAME_LIMIT);
  const sockets: RpcClient[] = [];
  try {
    await mkUser(s, 'victim', 'right-password');
    // the websocket half: one connection per guess, each from its own address, opened before the burst
    const half = Math.floor((BURST - 1) / 2);
    for (let i = 0; i <= half; i++) sockets.push(await RpcClient.open(s.port, { localAddress: addr(100 + i) }));
    const basic = Array.from({ length: BURST - 1 - half }, (_, i) => send(s.port, {
      method: 'GET', path: '/api/org', localAddress: addr(i), headers: basicAuth('victim', `basic-guess-${i}`),
    }));
    const ws = sockets.slice(0, half).map((c, i) => c.call('access.login', { username: 'victim', password: `ws-guess-${i}` }));
    await new Promise((r) => setImmediate(r));
    const last = await sockets[half]!.call('access.login', { username: 'victim', password: 'right-password' });
    const wrong = [...(await Promise.all(basic)).map((x) => x.status === 200), ...(await Promise.all(ws)).map((a) => !!a.result)];
    assert.ok(!wrong.some(Boolean), 'a wrong guess got in');
    const checks = await checksFor(s, ['victim']);
    assert.ok(checks <= PER_USER, `${checks} password checks ran for one account over both faces (the limit is ${PER_USER})`);
    assert.ok(last.error, `the right password, last, over the websocket: ${JSON.stringify(last)}`);
    assert.equal(last.error.code, 429, JSON.stringify(last));
  } finally {
    await Promise.all(sockets.map((c) => within(c.close(), 3000)));
    await s.stop();
  }
});

test('[limits] login_attempts_per_ip binds on both faces: a concurrent burst from one address runs at most 8 password checks, then that address is refused on both faces', async () => {
  const s = await startGatehouse(IP_LIMIT);
  const ATTACKER = '127.0.0.3';
  try {
    await mkUser(s, 'bystander', 'bystander-pw');
    // 30 guesses at 30 different (unknown) accounts from one address, half on each face
    const guesses = Array.from({ length: BURST }, (_, i): RawRequest => (i % 2
      ? { method: 'GET', path: '/api/org', localAddress: ATTACKER, headers: basicAuth(`target${i}`, 'guess') }
      : { method: 'POST', path: '/access/login', localAddress: ATTACKER, json: { username: `target${i}`, password: 'guess' } }));
    const replies = await Promise.all(guesses.map((o) => send(s.port, o)));
    assert.ok(replies.every((r) => r.status !== 200));
    const fromAttacker = (await auditTrail(s, { event: 'login_failed' })).filter((e) => e.ip === ATTACKER && !/lock|limit|too.?many|busy|queue|rate/i.test(String(e.detail?.reason ?? '')));
    assert.ok(fromAttacker.length <= PER_IP, `${fromAttacker.length} password checks ran from one address (the limit is ${PER_IP})`);

    // (a limiter may refuse early in a burst: guess on, one at a time, until the Moonraker face says the address is locked)
    for (let i = 0; i < PER_IP; i++) {
      const r = await send(s.port, { method: 'POST', path: '/access/login', localAddress: ATTACKER, json: { username: `after${i}`, password: 'guess' } });
      if (r.status === 429) break;
    }
    const total = (await auditTrail(s, { event: 'login_failed' })).filter((e) => e.ip === ATTACKER && !/lock|limit|too.?many|busy|queue|rate/i.test(String(e.detail?.reason ?? '')));
    assert.ok(total.length <= PER_IP, `${total.length} password checks ran from one address (the limit is ${PER_IP})`);

    // the address is locked on both faces, whatever the account
    const grafana = await send(s.port, { method: 'GET', path: '/api/org', localAddress: ATTACKER, headers: basicAuth('bystander', 'bystander-pw') });
    assert.ok(refused(grafana.status), `Grafana Basic auth from the locked address: ${grafana.status} ${grafana.text}`);
    const form = await send(s.port, { method: 'POST', path: '/login', localAddress: ATTACKER, json: { user: 'bystander', password: 'bystander-pw' } });
    assert.ok(refused(form.status), `POST /login from the locked address: ${form.status} ${form.text}`);
    const moonraker = await send(s.port, { method: 'POST', path: '/access/login', localAddress: ATTACKER, json: { username: 'bystander', password: 'bystander-pw' } });
    assert.equal(moonraker.status, 429, `Moonraker login from the locked address: ${moonraker.text}`);

    // must hold: the account itself is not locked; another address signs in on both faces
    assert.equal((await send(s.port, { method: 'GET', path: '/api/org', localAddress: '127.0.0.4', headers: basicAuth('bystander', 'bystander-pw') })).status, 200);
    assert.equal((await send(s.port, { method: 'POST', path: '/access/login', localAddress: '127.0.0.4', json: { username: 'bystander', password: 'bystander-pw' } })).status, 200);
  } finally {
    await s.stop();
  }
});

test('the login name and the e-mail address are one account and one budget', async () => {
  const s = await startGatehouse(SAME_LIMIT);
  try {
    // the bootstrap admin: login "admin", e-mail admin@localhost; 3 failures under each name (6 > 5)
    for (let i = 0; i < 3; i++) {
      const a = await send(s.port, { method: 'GET', path: '/api/org', localAddress: addr(i), headers: basicAuth('admin', `guess-${i}`) });
      assert.ok(refused(a.status), a.text);
      const b = await send(s.port, { method: 'GET', path: '/api/org', localAddress: addr(10 + i), headers: basicAuth('Admin@Localhost', `guess-${i}`) });
      assert.ok(refused(b.status), b.text);
    }
    const checks = await checksFor(s, ['admin', 'admin@localhost']);
    assert.ok(checks <= PER_USER, `${checks} password checks ran for one account under two names (the limit is ${PER_USER})`);
    for (const [name, path, o] of [
      ['admin', '/api/org', { headers: basicAuth('admin', ADMIN_PASSWORD) }],
      ['admin@localhost', '/api/org', { headers: basicAuth('admin@localhost', ADMIN_PASSWORD) }],
    ] as const) {
      const r = await send(s.port, { method: 'GET', path, localAddress: addr(20), ...o });
      assert.ok(refused(r.status), `the right password as ${name} after 6 failures over both names: ${r.status} ${r.text}`);
    }
    const form = await send(s.port, { method: 'POST', path: '/login', localAddress: addr(21), json: { user: 'admin', password: ADMIN_PASSWORD } });
    assert.ok(refused(form.status), `POST /login as admin after 6 failures over both names: ${form.status} ${form.text}`);
  } finally {
    await s.stop();
  }
});

// [limits] password_checks_queued = 2 (a small hash queue, so that a burst overflows it; the limits themselves are raised out of the way)
const SMALL_QUEUE = { limits: { password_checks_queued: 2, login_attempts_per_user: 1000, login_attempts_per_ip: 1000 } };

test('a bounded hash queue: password checks beyond [limits] password_checks_queued are refused at once (503 on the Moonraker face, 401 on the Grafana face), not queued', async () => {
  const s = await startGatehouse(SMALL_QUEUE);
  try {
    await mkUser(s, 'patient', 'patient-pw');
    const moonraker = Array.from({ length: 20 }, (_, i) => send(s.port, { method: 'POST', path: '/access/login', localAddress: addr(i), json: { username: `nobody${i}`, password: 'guess' } }));
    const grafana = Array.from({ length: 20 }, (_, i) => send(s.port, { method: 'GET', path: '/api/org', localAddress: addr(40 + i), headers: basicAuth(`nobody${i}`, 'guess') }));
    const m = await Promise.all(moonraker);
    const g = await Promise.all(grafana);
    const busy = m.filter((r) => r.status === 503);
    assert.ok(busy.length > 0, `no attempt was refused: ${m.map((r) => r.status).join(' ')}`);
    assert.deepEqual(busy[0]!.json, { error: { code: 503, message: 'Too many login attempts in progress; try again' } });
    assert.ok(m.every((r) => r.status === 400 || r.status === 503), m.map((r) => r.status).join(' '));
    assert.ok(g.every((r) => r.status === 401), g.map((r) => r.status).join(' '));
    // the refused attempts ran no password check: fewer checks than attempts
    const checks = (await auditTrail(s, { event: 'login_failed' })).filter((e) => /^nobody/.test(e.username ?? '')).length;
    assert.ok(checks < 40, `${checks} password checks for 40 attempts`);
    // once the burst is over, logins work on both faces
    assert.equal((await send(s.port, { method: 'POST', path: '/access/login', json: { username: 'patient', password: 'patient-pw' } })).status, 200);
    assert.equal((await send(s.port, { method: 'GET', path: '/api/org', headers: basicAuth('patient', 'patient-pw') })).status, 200);
  } finally {
    await s.stop();
  }
});
