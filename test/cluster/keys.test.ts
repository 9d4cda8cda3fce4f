// Issue 21 point 1: instances sharing a PostgreSQL database share their signing and
// encryption keys through it, sealed with [security] secret_key; no file is copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createTempDatabase } from '../helpers/postgres.js';
import { ADMIN_PASSWORD, bearer, clusterConfig, moonrakerLogin, startInstance } from '../helpers/instances.js';

const BIN = resolve('bin/gatehouse.js');

async function keyringRow(url: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query("SELECT value FROM settings WHERE key = 'keyring'")).rows[0]?.value;
  } finally {
    await c.end();
  }
}

test('a second instance needs only the URL and the secret: a token from A works on B, both read the same Moonraker API key; the keys are stored sealed', async () => {
  const db = await createTempDatabase();
  const a = await startInstance(clusterConfig(db.url));
  const b = await startInstance(clusterConfig(db.url));
  try {
    assert.ok(!existsSync(join(b.dataDir, 'master.key')) && !existsSync(join(b.dataDir, 'jwt-ed25519.pem')), 'no key file is made or needed');
    const { token } = await moonrakerLogin(a, 'admin', ADMIN_PASSWORD);
    const onB = await b.req('GET', '/access/user', { headers: bearer(token) });
    assert.equal(onB.status, 200, onB.text);
    const keyA = await a.req('GET', '/access/api_key', { headers: bearer(token) });
    const keyB = await b.req('GET', '/access/api_key', { headers: bearer(token) });
    assert.equal(keyA.status, 200, keyA.text);
    assert.equal(keyB.json.result, keyA.json.result);
    const row = (await keyringRow(db.url))!;
    assert.ok(row, 'the keys live in the settings table');
    assert.doesNotMatch(row, /PRIVATE KEY/);
  } finally {
    await a.stop();
    await b.stop();
    await db.drop();
  }
});

test('the wrong secret: the instance refuses to start with one clear line naming [security] secret_key', async () => {
  const db = await createTempDatabase();
  const a = await startInstance(clusterConfig(db.url));
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-wrong-'));
  try {
    const conf = join(dir, 'gatehouse.conf');
    writeFileSync(conf, clusterConfig(db.url, '', 'not-the-secret'));
    const r = spawnSync(process.execPath, [BIN, 'serve', '--config', conf, '--port', '0', '--data-dir', dir], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, GATEHOUSE_FROM_SOURCE: '1' } });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^gatehouse serve: \[security\] secret_key does not open the keys stored in the database/);
  } finally {
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});

test('an existing data directory keeps working: its key files move into the store on the first start with a secret, and tokens signed before stay good everywhere', async () => {
  const db = await createTempDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-old-'));
  // Started as before this issue: no secret, keys in files.
  const noSecret = clusterConfig(db.url).replace(/secret_key: .*\n/, '');
  const old = await startInstance(noSecret, dir);
  const { token } = await moonrakerLogin(old, 'admin', ADMIN_PASSWORD);
  const apiKey = (await old.req('GET', '/access/api_key', { headers: bearer(token) })).json.result;
  await new Promise((done) => { old.proc.once('exit', done); old.proc.kill('SIGTERM'); });
  const pem = readFileSync(join(dir, 'jwt-ed25519.pem'), 'utf8');
  assert.equal(await keyringRow(db.url), undefined);

  const a = await startInstance(clusterConfig(db.url), dir);
  const b = await startInstance(clusterConfig(db.url));
  try {
    assert.ok(await keyringRow(db.url));
    for (const node of [a, b]) {
      const r = await node.req('GET', '/access/user', { headers: bearer(token) });
      assert.equal(r.status, 200, `${node.base}: ${r.text}`);
      assert.equal((await node.req('GET', '/access/api_key', { headers: bearer(token) })).json.result, apiKey);
    }
    assert.equal(readFileSync(join(dir, 'jwt-ed25519.pem'), 'utf8'), pem, 'the files are left as they were');
  } finally {
    await a.stop();
    await b.stop();
    await db.drop();
  }
});
