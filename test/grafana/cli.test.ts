// `gatehouse org|key|sa` as an operator runs them: real processes on the data
// directory of a running server, whose answers follow within its sync interval.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash, pbkdf2Sync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Running } from '../helpers/server.js';
import { admin, bearer, basic, sleep, startGrafana, mkUser } from './helpers.js';
import { checksumHex } from '../../src/core/security/key-formats.js';

const ENTRY = resolve('test/grafana/cli-entry.ts');
let dir: string;
let s: Running;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, ...args, '--data-dir', dir], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function eventually(fn: () => Promise<boolean>, what: string, ms = 4000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // (a keep-alive connection the server closed while a CLI process ran can fail once: ask again)
    if (await fn().catch(() => false)) return;
    await sleep(100);
  }
  assert.fail(`not within ${ms} ms: ${what}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gh-cli-'));
  s = await startGrafana({}, dir);
});
after(async () => {
  await s.stop({ keepData: true });
  rmSync(dir, { recursive: true, force: true });
});

test('org create / list / add-user / delete, with clear errors', async () => {
  let r = cli('org', 'create', 'Ops');
  assert.equal(r.code, 0, r.err);
  const id = Number(/created organization (\d+) "Ops"/.exec(r.out)![1]);
  r = cli('org', 'create', 'Ops');
  assert.equal(r.code, 1);
  assert.match(r.err, /gatehouse org: Organization name taken/);
  r = cli('org', 'list');
  assert.match(r.out, new RegExp(`^1\\tMain Org\\.\\t`, 'm'));
  assert.match(r.out, new RegExp(`^${id}\\tOps\\t0 member`, 'm'));
  await eventually(async () => (await s.req('GET', `/api/orgs/${id}`, { headers: admin() })).status === 200, 'server sees the new org');
  await mkUser(s, 'opsy');
  r = cli('org', 'add-user', String(id), 'opsy', 'Editor');
  assert.equal(r.code, 0, r.err);
  await eventually(async () => (await s.req('GET', '/api/user/orgs', { headers: basic('opsy', 'pw-opsy') })).json.length === 2, 'membership reaches the server');
  assert.match(cli('org', 'add-user', String(id), 'opsy', 'Boss').err, /ROLE must be Viewer, Editor or Admin/);
  assert.match(cli('org', 'add-user', String(id), 'nobody', 'Viewer').err, /no user "nobody"/);
  assert.match(cli('org', 'delete', '1').err, /default organization cannot be deleted/);
  assert.match(cli('org', 'delete', '999').err, /no organization with id 999/);
  assert.match(cli('org', 'delete', 'x').err, /ID: expected a number/);
  assert.match(cli('org', 'frob').err, /unknown subcommand "org frob"/);
  r = cli('org', 'delete', String(id));
  assert.equal(r.code, 0, r.err);
  await eventually(async () => (await s.req('GET', `/api/orgs/${id}`, { headers: admin() })).status === 404, 'server sees the deletion');
});

test('key create prints the key once; the running server accepts it; list never shows it; delete stops it', async () => {
  let r = cli('key', 'create', 'deploy', '--role', 'Editor', '--ttl', '3600');
  assert.equal(r.code, 0, r.err);
  const key = /key \(shown once\): (\S+)/.exec(r.out)![1]!;
  const id = Number(/created API key (\d+)/.exec(r.out)![1]);
  await eventually(async () => (await s.req('GET', '/api/org', { headers: bearer(key) })).status === 200, 'server accepts the new key');
  r = cli('key', 'list');
  assert.match(r.out, new RegExp(`^${id}\\tdeploy\\tEditor\\texpires \\d{4}-`, 'm'));
  assert.ok(!r.out.includes(key));
  assert.match(cli('key', 'create', 'deploy', '--role', 'Viewer').err, /API key, organization ID and name must be unique/);
  assert.match(cli('key', 'create', 'x').err, /--role is required/);
  assert.match(cli('key', 'create', 'x', '--role', 'admin').err, /--role must be Viewer, Editor or Admin/);
  assert.match(cli('key', 'create', 'x', '--role', 'Viewer', '--org', '77').err, /no organization with id 77/);
  assert.match(cli('key', 'delete', '424242').err, /no API key with id 424242/);
  r = cli('key', 'delete', String(id));
  assert.equal(r.code, 0, r.err);
  await eventually(async () => (await s.req('GET', '/api/org', { headers: bearer(key) })).status === 401, 'server refuses the deleted key');
});

test('key import: a Grafana PBKDF2-hashed key works on the server and is re-stored under SHA-256', async () => {
  const k = 'F'.repeat(32);
  const legacy = Buffer.from(JSON.stringify({ k, n: 'from-grafana', id: 1 })).toString('base64');
  const hash = pbkdf2Sync(k, 'from-grafana', 10000, 50, 'sha256').toString('hex');
  let r = cli('key', 'import', 'from-grafana', '--role', 'Admin', '--grafana-hash', hash);
  assert.equal(r.code, 0, r.err);
  const id = Number(/imported API key (\d+)/.exec(r.out)![1]);
  await eventually(async () => (await s.req('GET', '/api/auth/keys', { headers: bearer(legacy) })).status === 200, 'imported key works');
  const row = await s.gh.store.apiKeys.byId(id);
  assert.equal(row!.hashKind, 'sha256');
  assert.equal(row!.hash, createHash('sha256').update(legacy).digest('hex'));
  assert.match(cli('key', 'import', 'bad', '--role', 'Admin', '--grafana-hash', 'abc').err, /100 hex characters/);
});

test('sa create / list / token create (shown once) / token list / token delete / delete', async () => {
  let r = cli('sa', 'create', 'Backup Bot', '--role', 'Admin');
  assert.equal(r.code, 0, r.err);
  const saId = Number(/created service account (\d+) "Backup Bot" \(sa-backup-bot, Admin\)/.exec(r.out)![1]);
  r = cli('sa', 'token', 'create', String(saId), 'nightly', '--ttl', '86400');
  assert.equal(r.code, 0, r.err);
  const token = /token \(shown once\): (glsa_[0-9A-Za-z]{32}_([0-9a-f]{8}))/.exec(r.out)!;
  assert.equal(token[2], checksumHex(token[1]!.slice(0, 37)));
  await eventually(async () => (await s.req('GET', '/api/auth/keys', { headers: bearer(token[1]!) })).status === 200, 'server accepts the token with the account\'s Admin role');
  r = cli('sa', 'list');
  assert.match(r.out, new RegExp(`^${saId}\\tBackup Bot\\tsa-backup-bot\\tAdmin\\t1 token`, 'm'));
  r = cli('sa', 'token', 'list', String(saId));
  const tokenId = Number(/^(\d+)\tnightly\texpires \d{4}-/m.exec(r.out)![1]);
  assert.ok(!r.out.includes(token[1]!));
  assert.match(cli('sa', 'create', 'Backup Bot').err, /already exists/);
  assert.match(cli('sa', 'token', 'create', '9999', 't').err, /no service account 9999 in organization 1/);
  assert.match(cli('sa', 'token', 'delete', String(saId), '9999').err, /has no token 9999/);
  assert.match(cli('sa', 'token').err, /unknown subcommand "sa token"/);
  r = cli('sa', 'token', 'delete', String(saId), String(tokenId));
  assert.equal(r.code, 0, r.err);
  await eventually(async () => (await s.req('GET', '/api/org', { headers: bearer(token[1]!) })).status === 401, 'deleted token refused');
  r = cli('sa', 'delete', String(saId));
  assert.equal(r.code, 0, r.err);
  assert.match(cli('sa', 'list').out, /no service accounts/);
});
