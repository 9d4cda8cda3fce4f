// Abuse limits: per-account and per-address login lockouts (on top of Moonraker's
// max_login_attempts), body and header size caps, the oneshot issue rate, and a
// login storm that must not starve cheap requests.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGatehouse, type Running } from '../helpers/server.js';
import { bearer, createUser } from './helpers.js';

const loginReq = (s: Running, username: string, password: string) => s.req('POST', '/access/login', { body: { username, password } });

/** A request from another loopback address (127.0.0.2), as a second client machine. */
function fromAddress(s: Running, localAddress: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
  return new Promise((ok, fail) => {
    const data = JSON.stringify(body);
    const r = http.request({ host: '127.0.0.1', port: s.port, path, method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => ok({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    r.on('error', fail);
    r.end(data);
  });
}

describe('login lockouts', () => {
  test('differs from Moonraker: per account, after [limits] login_attempts_per_user failures even the right password is refused with a clear 429; other accounts unaffected (Moonraker has only max_login_attempts, per address, off by default)', async () => {
    const s = await startGatehouse({ limits: { login_attempts_per_user: 3, login_attempts_per_ip: 100 } });
    try {
      await createUser(s, 'victim', 'right-password');
      await createUser(s, 'bystander', 'bystander-pw');
      for (const name of ['victim', 'VICTIM', 'Victim']) { // case-insensitive: one account, one counter
        const r = await loginReq(s, name, 'guess');
        assert.ok(r.status === 400, `${name}: ${r.status} ${r.text}`);
      }
      const locked = await loginReq(s, 'victim', 'right-password');
      assert.equal(locked.status, 429);
      assert.match(locked.json.error.message, /Too many failed login attempts for this account; try again in up to 300 seconds/);
      assert.equal(locked.json.error.code, 429);
      assert.equal((await loginReq(s, 'bystander', 'bystander-pw')).status, 200);
      const audit = await s.gh.core.audit.query({ event: 'lockout' });
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.username, 'Victim');
      assert.deepEqual(audit[0]!.detail, { scope: 'user', attempts: 3, seconds: 300 });
    } finally {
      await s.stop();
    }
  });

  test('per account: the lock lifts when the failures age out of the window, and a success resets the count', async () => {
    const s = await startGatehouse({ limits: { login_attempts_per_user: 2, login_attempts_per_ip: 100, lockout_seconds: 1 } });
    try {
      await createUser(s, 'ivy', 'ivy-password');
      await loginReq(s, 'ivy', 'x');
      assert.equal((await loginReq(s, 'ivy', 'ivy-password')).status, 200); // one failure, then success: count starts over
      await loginReq(s, 'ivy', 'x');
      assert.equal((await loginReq(s, 'ivy', 'x')).status, 400);
      assert.equal((await loginReq(s, 'ivy', 'ivy-password')).status, 429);
      await sleep(1200);
      assert.equal((await loginReq(s, 'ivy', 'ivy-password')).status, 200);
    } finally {
      await s.stop();
    }
  });

  test('differs from Moonraker: per address, after [limits] login_attempts_per_ip failures across many usernames the address is locked with a 429, not another client', async () => {
    const s = await startGatehouse({ limits: { login_attempts_per_user: 100, login_attempts_per_ip: 4 } });
    try {
      await createUser(s, 'judy', 'judy-password');
      for (let i = 0; i < 4; i++) assert.equal((await loginReq(s, `nobody${i}`, 'pw')).status, 400);
      const locked = await loginReq(s, 'judy', 'judy-password');
      assert.equal(locked.status, 429);
      assert.match(locked.json.error.message, /Too many failed login attempts from this address/);
      const elsewhere = await fromAddress(s, '127.0.0.2', '/access/login', { username: 'judy', password: 'judy-password' });
      assert.equal(elsewhere.status, 200, JSON.stringify(elsewhere.json));
    } finally {
      await s.stop();
    }
  });

  test('a concurrent burst of guesses cannot slip past the limit before failures are recorded', async () => {
    const s = await startGatehouse({ limits: { login_attempts_per_user: 5, login_attempts_per_ip: 1000 } });
    try {
      await createUser(s, 'kate', 'kate-password');
      const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => loginReq(s, 'kate', `guess-${i}`)));
      const checked = rs.filter((r) => r.status === 400).length;
      const refused = rs.filter((r) => r.status === 429).length;
      assert.equal(checked + refused, 30);
      assert.ok(checked <= 5, `${checked} passwords were checked`);
      assert.equal((await loginReq(s, 'kate', 'kate-password')).status, 429);
    } finally {
      await s.stop();
    }
  });

  test('guessing the current password through /access/user/password with a stolen token is limited too', async () => {
    const s = await startGatehouse({ limits: { login_attempts_per_user: 3, login_attempts_per_ip: 100 } });
    try {
      const leo = await createUser(s, 'leo', 'leo-password');
      for (let i = 0; i < 3; i++) {
        const r = await s.req('POST', '/access/user/password', { headers: bearer(leo.token), body: { password: `guess${i}`, new_password: 'owned' } });
        assert.equal(r.status, 400);
      }
      const r = await s.req('POST', '/access/user/password', { headers: bearer(leo.token), body: { password: 'leo-password', new_password: 'owned' } });
      assert.equal(r.status, 429);
      assert.equal((await loginReq(s, 'leo', 'leo-password')).status, 429);
    } finally {
      await s.stop();
    }
  });

  test("Moonraker's max_login_attempts still answers 401 'Unauthorized, Maximum Login Attempts Reached'", async () => {
    const s = await startGatehouse({ authorization: { max_login_attempts: 2 }, limits: { login_attempts_per_user: 100, login_attempts_per_ip: 100 } });
    try {
      await loginReq(s, 'nobody', 'x');
      await loginReq(s, 'nobody', 'x');
      const r = await loginReq(s, 'nobody', 'x');
      assert.equal(r.status, 401);
      assert.equal(r.json.error.message, 'Unauthorized, Maximum Login Attempts Reached');
      assert.equal((await s.gh.core.audit.query({ event: 'lockout' })).length, 1);
    } finally {
      await s.stop();
    }
  });
});

describe('size limits', () => {
  test('differs from Moonraker: a body over [gatehouse] max_body_bytes (64 KiB; Moonraker takes 50 MiB) is 413 with a JSON error, with or without Content-Length', async () => {
    const s = await startGatehouse({ gatehouse: { max_body_bytes: 1024 } });
    try {
      const big = JSON.stringify({ username: 'x', password: 'y'.repeat(4000) });
      const r = await s.req('POST', '/access/login', { raw: big, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 413);
      assert.match(r.json.error.message, /exceeds 1024 bytes/);
      // Chunked (no Content-Length): the limit holds while streaming.
      const chunked = await fetch(s.base + '/access/login', {
        method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
        body: new ReadableStream({ start(c) { for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode('a'.repeat(512))); c.close(); } }),
      } as RequestInit);
      assert.equal(chunked.status, 413);
      assert.match(((await chunked.json()) as any).error.message, /Request body too large/);
      assert.equal((await s.req('GET', '/access/info')).status, 200);
    } finally {
      await s.stop();
    }
  });

  test('headers over maxHeaderBytes are 431 and the server keeps serving', async () => {
    const s = await startGatehouse({ limits: { max_header_bytes: 2048 } });
    try {
      const raw = await new Promise<string>((ok, fail) => {
        const sock = net.connect(s.port, '127.0.0.1', () => {
          sock.write(`GET /access/info HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(4096)}\r\n\r\n`);
        });
        let out = '';
        sock.on('data', (c) => { out += c; });
        sock.on('end', () => ok(out));
        sock.on('error', fail);
      });
      assert.match(raw, /^HTTP\/1\.1 431 /);
      assert.equal((await s.req('GET', '/access/info')).status, 200);
    } finally {
      await s.stop();
    }
  });
});

test('differs from Moonraker: oneshot tokens are issued at most [authorization] oneshot_rate_per_minute times a minute per address (429 with a JSON error; Moonraker has no limit)', async () => {
  const s = await startGatehouse({ authorization: { oneshot_rate_per_minute: 5 } });
  try {
    const headers = { 'x-api-key': s.apiKey() };
    for (let i = 0; i < 5; i++) assert.equal((await s.req('GET', '/access/oneshot_token', { headers })).status, 200);
    const r = await s.req('GET', '/access/oneshot_token', { headers });
    assert.equal(r.status, 429);
    assert.match(r.json.error.message, /Too many oneshot token requests/);
  } finally {
    await s.stop();
  }
});

test('a storm of 30 concurrent logins does not starve cheap requests (hashing stays off the event loop)', async () => {
  const s = await startGatehouse({ limits: { login_attempts_per_user: 1000, login_attempts_per_ip: 1000 } });
  try {
    await createUser(s, 'storm', 'storm-password');
    const key = s.apiKey();
    const storm = Promise.all(Array.from({ length: 30 }, () => loginReq(s, 'storm', 'storm-password')));
    // While the argon2 work is queued, cheap requests keep being answered.
    const cheap: Promise<number>[] = [];
    for (let i = 0; i < 40; i++) {
      cheap.push(s.req('GET', i % 2 ? '/access/info' : '/access/user', { headers: { 'x-api-key': key } }).then((r) => r.status));
      await sleep(5);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, fail) => { timer = setTimeout(() => fail(new Error('cheap requests did not finish within 20 s')), 20_000); });
    const statuses = await Promise.race([Promise.all(cheap), deadline]).finally(() => clearTimeout(timer));
    assert.deepEqual(new Set(statuses), new Set([200]));
    const logins = await storm;
    assert.deepEqual(new Set(logins.map((r) => r.status)), new Set([200]));
  } finally {
    await s.stop();
  }
});
