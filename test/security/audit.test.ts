// The audit trail: every security event of the Moonraker face is recorded (in the
// store and, when configured, as JSON lines), with who and from where but never a
// secret; `gatehouse audit` queries it with filters.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouse, type Running } from '../helpers/server.js';
import { audit as auditCommand } from '../../src/cli/commands/audit.js';
import { bearer, createUser, login } from './helpers.js';
import type { AuditEvent } from '../../src/store/index.js';

let s: Running;
let root: string;
let jsonl: string;
let events: AuditEvent[];
const secrets: string[] = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'gatehouse-audit-'));
  jsonl = join(root, 'audit.jsonl');
  s = await startGatehouse({ audit: { json_lines_file: jsonl }, authorization: { refresh_token_rotation: true }, limits: { login_attempts_per_user: 3 } }, join(root, 'data'));
  const key = s.apiKey();
  secrets.push(key);
  const ann = await createUser(s, 'ann', 'ann-secret-pw'); // user_created
  await createUser(s, 'bob', 'bob-secret-pw');
  secrets.push('ann-secret-pw', 'bob-secret-pw', ann.token, ann.refresh);
  await s.req('POST', '/access/login', { body: { username: 'ann', password: 'ann-wrong-pw' } }); // login_failed
  const l = await login(s, 'ann', 'ann-secret-pw'); // login_ok
  secrets.push('ann-wrong-pw', l.token, l.refresh);
  const r = await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: l.refresh } }); // token_refresh
  secrets.push(r.json.result.token, r.json.result.refresh_token);
  await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: l.refresh } }); // refresh_reuse_detected
  await s.req('POST', '/access/user/password', { headers: bearer(ann.token), body: { password: 'ann-secret-pw', new_password: 'ann-new-pw' } }); // password_changed
  secrets.push('ann-new-pw');
  const rot = await s.req('POST', '/access/api_key', { headers: bearer(ann.token) }); // api_key_rotated
  secrets.push(rot.json.result);
  await s.req('DELETE', '/access/user', { headers: bearer(ann.token), body: { username: 'bob' } }); // user_deleted
  await s.req('POST', '/access/logout', { headers: bearer(ann.token) }); // logout
  for (let i = 0; i < 3; i++) await s.req('POST', '/access/login', { body: { username: 'zed', password: `zed-guess-${i}` } }); // lockout
  secrets.push('zed-guess-0', 'zed-guess-1', 'zed-guess-2');
  await s.req('POST', '/access/login', { body: { username: 'evil\u001b[31mred', password: 'x-secret-evil' } });
  events = await s.gh.core.audit.query({ limit: 1000 });
});

after(async () => {
  await s.stop({ keepData: true }).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

const one = (event: string, username?: string) => {
  const e = events.filter((x) => x.event === event && (username === undefined || x.username === username));
  assert.ok(e.length >= 1, `no ${event}${username ? ` for ${username}` : ''} in ${events.map((x) => x.event).join(', ')}`);
  return e[0]!;
};

describe('every security event is recorded with who and from where', () => {
  test('login_ok and login_failed (with the reason)', () => {
    assert.equal(one('login_ok', 'ann').ip, '127.0.0.1');
    assert.deepEqual(one('login_failed', 'ann').detail, { reason: 'INVALID_PASSWORD' });
  });
  test('logout', () => assert.equal(one('logout', 'ann').ip, '127.0.0.1'));
  test('token_refresh', () => assert.equal(one('token_refresh', 'ann').ip, '127.0.0.1'));
  test('refresh_reuse_detected', () => assert.equal(one('refresh_reuse_detected', 'ann').ip, '127.0.0.1'));
  test('user_created and user_deleted (with the actor)', () => {
    assert.deepEqual(one('user_created', 'ann').detail, { by: '_API_KEY_USER_', scope: 'admin' });
    assert.deepEqual(one('user_deleted', 'bob').detail, { by: 'ann' });
  });
  test('password_changed', () => assert.equal(one('password_changed', 'ann').ip, '127.0.0.1'));
  test('api_key_rotated', () => assert.equal(one('api_key_rotated', 'ann').ip, '127.0.0.1'));
  test('lockout (once, when the limit is reached)', () => {
    assert.equal(events.filter((e) => e.event === 'lockout').length, 1);
    assert.deepEqual(one('lockout', 'zed').detail, { scope: 'user', attempts: 3, seconds: 300 });
  });
  test('no entry carries a secret', () => {
    const all = JSON.stringify(events);
    for (const x of secrets) assert.ok(!all.includes(x), `secret ${x} in the audit trail`);
  });
});

test('[audit] json_lines_file: one JSON object per event, same as the store', () => {
  const lines = readFileSync(jsonl, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, events.length);
  const stored = [...events].reverse();
  lines.forEach((l, i) => {
    assert.deepEqual(Object.keys(l), ['at', 'event', 'username', 'ip', 'detail']);
    assert.match(l.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(l.event, stored[i]!.event);
    assert.equal(l.username, stored[i]!.username);
  });
  for (const x of secrets) assert.ok(!readFileSync(jsonl, 'utf8').includes(x));
});

test('an audit file that cannot be written does not fail the request; the store keeps the event and the log says so', async () => {
  const t = await startGatehouse({ audit: { json_lines_file: join(root, 'no', 'such', 'dir', 'audit.jsonl') } });
  try {
    await createUser(t, 'kim', 'kim-password');
    assert.equal((await t.req('POST', '/access/login', { body: { username: 'kim', password: 'kim-password' } })).status, 200);
    assert.equal((await t.gh.core.audit.query({ event: 'login_ok' })).length, 1);
    assert.match(t.logs.join(''), /audit write failed/);
  } finally {
    await t.stop();
  }
});

describe('gatehouse audit (CLI)', () => {
  async function cli(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await auditCommand.run([...args, '--data-dir', join(root, 'data')], { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  test('lists events oldest first as columns: time, event, user, address, detail', async () => {
    const r = await cli();
    assert.equal(r.code, 0);
    assert.equal(r.out.length, events.length);
    // The shipped defaults start with the Grafana face's bootstrap admin, then the test's first account.
    assert.match(r.out[0]!, /^\d{4}-\d\d-\d\dT\S+Z\tuser_created\tadmin\t-\t\{"by":"bootstrap","grafanaAdmin":true\}$/);
    assert.match(r.out[1]!, /^\d{4}-\d\d-\d\dT\S+Z\tuser_created\tann\t127\.0\.0\.1\t\{"by":"_API_KEY_USER_","scope":"admin"\}$/);
  });

  test('--event and --user filter', async () => {
    const r = await cli('--event', 'login_failed');
    assert.ok(r.out.length >= 4);
    assert.ok(r.out.every((l) => l.split('\t')[1] === 'login_failed'));
    const u = await cli('--user', 'zed');
    assert.equal(u.out.length, 3 + 1);
    assert.ok(u.out.every((l) => l.split('\t')[2] === 'zed'));
    const both = await cli('--user', 'zed', '--event', 'lockout');
    assert.equal(both.out.length, 1);
  });

  test('--since takes an ISO time or a duration ago; --until too', async () => {
    assert.equal((await cli('--since', '1h')).out.length, events.length);
    const future = await cli('--since', new Date(Date.now() + 3600_000).toISOString());
    assert.deepEqual(future.out, []);
    assert.deepEqual(future.err, ['no matching audit events']);
    assert.equal((await cli('--until', '2000-01-01')).out.length, 0);
    const last = events[0]!;
    assert.equal((await cli('--since', new Date(last.at).toISOString())).out.at(-1)!.split('\t')[1], last.event);
  });

  test('--limit keeps the most recent N, still in order', async () => {
    const r = await cli('--limit', '2');
    assert.equal(r.out.length, 2);
    assert.equal(r.out[1]!.split('\t')[1], events[0]!.event);
    assert.equal(r.out[0]!.split('\t')[1], events[1]!.event);
  });

  test('--json prints one JSON object per line', async () => {
    const r = await cli('--json', '--event', 'user_deleted');
    assert.equal(r.out.length, 1);
    assert.deepEqual(JSON.parse(r.out[0]!), { ...JSON.parse(r.out[0]!), event: 'user_deleted', username: 'bob', ip: '127.0.0.1', detail: { by: 'ann' } });
  });

  test('control characters from client-chosen usernames are shown escaped, never raw', async () => {
    const r = await cli('--event', 'login_failed');
    const evil = r.out.find((l) => l.includes('evil'))!;
    assert.ok(!evil.includes('\u001b'));
    assert.match(evil, /evil\\u\{1b\}\[31mred/);
  });

  test('as a real process: `gatehouse audit --json --event user_created` (the running server keeps the database open)', () => {
    const r = spawnSync(process.execPath, ['bin/gatehouse.js', 'audit', '--json', '--event', 'user_created', '--data-dir', join(root, 'data')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.username), ['admin', 'ann', 'bob']);
    const bad = spawnSync(process.execPath, ['bin/gatehouse.js', 'audit', '--limit', 'x', '--data-dir', join(root, 'data')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /gatehouse audit: --limit: expected a whole number/);
  });

  test('bad flags and a missing database are clear errors', async () => {
    await assert.rejects(cli('--since', 'yesterday'), /--since: expected an ISO 8601 time/);
    await assert.rejects(cli('--limit', '0'), /--limit: expected a whole number/);
    await assert.rejects(cli('--limit', 'ten'), /--limit/);
    await assert.rejects(cli('stray'), /unexpected argument "stray"/);
    await assert.rejects(
      auditCommand.run(['--data-dir', join(root, 'nowhere')], { out: () => {}, err: () => {} }),
      /no gatehouse database in/,
    );
  });
});
