// Issue 21 point 6: `gatehouse copy` moves a SQLite store to PostgreSQL and back with
// users, password hashes, token families, keys, orgs and the audit trail intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTempDatabase } from '../helpers/postgres.js';
import { ADMIN_PASSWORD, ISSUER, SECRET, basic, bearer, clusterConfig, moonrakerLogin, startInstance, type Instance } from '../helpers/instances.js';

const BIN = resolve('bin/gatehouse.js');
const sqliteConfig = (secret?: string) => `[gatehouse]\nstore: sqlite\nissuer: ${ISSUER}\nlog_level: warn\n[security]\nadmin_password: ${ADMIN_PASSWORD}\n${secret ? `secret_key: ${secret}\n` : ''}`;

function gatehouseCopy(from: string, to: string) {
  const r = spawnSync(process.execPath, [BIN, 'copy', '--from', from, '--to', to, '--secret-env', 'COPY_SECRET'], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, GATEHOUSE_FROM_SOURCE: '1', COPY_SECRET: SECRET },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

async function halt(node: Instance) {
  await new Promise((done) => { node.proc.once('exit', done); node.proc.kill('SIGTERM'); });
}

async function userCount(node: Instance, token: string): Promise<number> {
  const r = await node.req('GET', '/access/users/list', { headers: bearer(token) });
  assert.equal(r.status, 200, r.text);
  return r.json.result.users.length;
}

test('SQLite → PostgreSQL → SQLite: accounts, passwords, tokens, keys, orgs and the audit trail survive both ways', async () => {
  const db = await createTempDatabase();
  const dirs = [mkdtempSync(join(tmpdir(), 'gatehouse-copy-a-')), mkdtempSync(join(tmpdir(), 'gatehouse-copy-b-'))];
  const nodes: Instance[] = [];
  try {
    // 1. a single SQLite instance, as before issue 21 (key files, no secret)
    const lite = await startInstance(sqliteConfig(), dirs[0]);
    nodes.push(lite);
    const admin = await moonrakerLogin(lite, 'admin', ADMIN_PASSWORD);
    const apiKey = (await lite.req('GET', '/access/api_key', { headers: bearer(admin.token) })).json.result;
    assert.equal((await lite.req('POST', '/access/user', { body: { username: 'mover', password: 'mover-pw' }, headers: { 'x-api-key': apiKey } })).status, 200);
    const mover = await moonrakerLogin(lite, 'mover', 'mover-pw');
    const gKey = await lite.req('POST', '/api/auth/keys', { headers: basic('admin', ADMIN_PASSWORD), body: { name: 'moving-key', role: 'Editor' } });
    assert.equal(gKey.status, 200, gKey.text);
    const org = await lite.req('POST', '/api/orgs', { headers: basic('admin', ADMIN_PASSWORD), body: { name: 'Moved Org' } });
    assert.equal(org.status, 200, org.text);
    const users = await userCount(lite, admin.token);
    await halt(lite);

    // 2. into PostgreSQL, keys sealed with the secret
    const out = gatehouseCopy(`sqlite:${dirs[0]}`, db.url);
    assert.match(out, /users: 2 rows/);
    assert.match(out, /audit_log: \d+ rows/);
    assert.match(out, /keys: master.key and jwt-ed25519.pem .* sealed into the destination/);
    const pgNode = await startInstance(clusterConfig(db.url));
    nodes.push(pgNode);
    const check = async (node: Instance) => {
      assert.equal((await node.req('GET', '/access/user', { headers: bearer(mover.token) })).json?.result?.username, 'mover', 'a token issued before the copy');
      assert.equal((await node.req('GET', '/access/user', { headers: { 'x-api-key': apiKey } })).status, 200, 'the Moonraker API key');
      assert.equal((await node.req('GET', '/api/org', { headers: bearer(gKey.json.key) })).status, 200, 'the Grafana API key');
      const orgs = await node.req('GET', '/api/orgs', { headers: basic('admin', ADMIN_PASSWORD) });
      assert.ok(orgs.json.some((o: any) => o.name === 'Moved Org' && o.id === org.json.orgId), `the org: ${orgs.text}`);
      const refreshed = await node.req('POST', '/access/refresh_jwt', { body: { refresh_token: mover.refresh } });
      assert.equal(refreshed.status, 200, `the token family: ${refreshed.text}`);
      assert.equal(await userCount(node, admin.token), users);
      const trail = spawnSync(process.execPath, [BIN, 'audit', '--event', 'user_created', '--json', '--config', join(node.dataDir, 'gatehouse.conf'), '--data-dir', node.dataDir], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, GATEHOUSE_FROM_SOURCE: '1' } });
      assert.match(trail.stdout, /"username":"mover"/, `the audit trail: ${trail.stderr}`);
    };
    await check(pgNode);
    mover.refresh = (await pgNode.req('POST', '/access/refresh_jwt', { body: { refresh_token: mover.refresh } })).json?.result?.refresh_token ?? mover.refresh;
    await moonrakerLogin(pgNode, 'mover', 'mover-pw'); // the password hash
    assert.equal((await pgNode.req('POST', '/access/user', { body: { username: 'born-on-pg', password: 'pg-pw' }, headers: { 'x-api-key': apiKey } })).status, 200);
    await halt(pgNode);

    // 3. and back into a new SQLite data directory (the keys are in the store: the instance needs the secret)
    gatehouseCopy(db.url, `sqlite:${dirs[1]}`);
    const back = await startInstance(sqliteConfig(SECRET), dirs[1]);
    nodes.push(back);
    assert.equal((await back.req('GET', '/access/user', { headers: bearer(mover.token) })).status, 200);
    await moonrakerLogin(back, 'born-on-pg', 'pg-pw');
    assert.equal((await back.req('GET', '/api/org', { headers: bearer(gKey.json.key) })).status, 200);
    assert.equal((await back.req('POST', '/access/user', { body: { username: 'after-copy', password: 'pw' }, headers: { 'x-api-key': apiKey } })).status, 200, 'ids continue after the copied ones');
  } finally {
    for (const n of nodes) if (n.proc.exitCode === null && n.proc.signalCode === null) await halt(n);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db.drop();
  }
});

test('copy refuses a destination that is not empty, and bad STORE arguments, each with one clear line', async () => {
  const db = await createTempDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-copy-'));
  try {
    const node = await startInstance(clusterConfig(db.url));
    await halt(node);
    rmSync(node.dataDir, { recursive: true, force: true });
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'copy', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, GATEHOUSE_FROM_SOURCE: '1' } });
    const full = run('--from', db.url, '--to', db.url);
    assert.equal(full.status, 1);
    assert.match(full.stderr, /^gatehouse copy: the destination is not empty/);
    const bad = run('--from', 'mysql://x', '--to', db.url);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^gatehouse copy: --from: expected sqlite:DIR or postgres:\/\//);
    const none = run('--from', `sqlite:${dir}`, '--to', db.url);
    assert.match(none.stderr, /no gatehouse.sqlite/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});
