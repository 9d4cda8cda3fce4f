// One contract, every engine: the same behaviours against SQLite and PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, DuplicateError, type Store, type NewUser } from '../../src/store/index.js';
import { createTempDatabase } from '../helpers/postgres.js';
import { startGatehouse } from '../helpers/server.js';

const newUser = (username: string): NewUser => ({
  uid: `uid-${username}`, username, email: null, name: '', passwordHash: 'h', source: 'moonraker',
  isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: 1,
});

const engines: { name: 'sqlite' | 'postgres'; open: () => Promise<{ store: Store; cleanup: () => Promise<void> }> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
      const store = await openStore({ engine: 'sqlite', dataDir: dir });
      return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'postgres',
    async open() {
      const db = await createTempDatabase();
      const store = await openStore({ engine: 'postgres', dataDir: '', postgresUrl: db.url });
      return { store, cleanup: async () => { await store.close(); await db.drop(); } };
    },
  },
];

for (const engine of engines) {
  describe(`store contract on ${engine.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => ({ store, cleanup } = await engine.open()));
    after(() => cleanup());

    test('migrations are idempotent', async () => {
      await store.migrate();
      await store.migrate();
    });

    test('users: create, unique username, update, delete', async () => {
      await store.orgs.create('Main Org.').catch(() => {});
      const u = await store.users.create(newUser('ada'));
      assert.equal(typeof u.id, 'number');
      assert.equal(typeof u.createdAt, 'number');
      await assert.rejects(store.users.create({ ...newUser('ada'), uid: 'other' }), DuplicateError);
      await store.users.update(u.id, { passwordHash: 'h2', isDisabled: true });
      const again = await store.users.byUsername('ada');
      assert.equal(again?.passwordHash, 'h2');
      assert.equal(again?.isDisabled, true);
      assert.equal(await store.users.count(), 1);
      assert.equal(await store.users.delete(u.id), true);
      assert.equal(await store.users.byId(u.id), undefined);
    });

    test('users have a scope (default admin, issue 20); named Moonraker keys: unique name and hash, batched last-used, delete', async () => {
      const u = await store.users.create({ ...newUser('scoped'), scope: 'read' });
      assert.equal(u.scope, 'read');
      assert.equal((await store.users.create(newUser('unscoped'))).scope, 'admin');
      await store.users.update(u.id, { scope: 'control' });
      assert.equal((await store.users.byId(u.id))?.scope, 'control');
      const k = await store.moonrakerKeys.create({ name: 'screen', scope: 'read', hash: 'a'.repeat(64), expiresAt: null });
      assert.deepEqual({ ...k, id: 0, createdAt: 0 }, { id: 0, name: 'screen', scope: 'read', hash: 'a'.repeat(64), createdAt: 0, expiresAt: null, lastUsedAt: null });
      await assert.rejects(store.moonrakerKeys.create({ name: 'screen', scope: 'admin', hash: 'b'.repeat(64), expiresAt: 1 }), DuplicateError);
      await store.moonrakerKeys.touch([k.id], 12345);
      assert.equal((await store.moonrakerKeys.byName('screen'))?.lastUsedAt, 12345);
      assert.deepEqual((await store.moonrakerKeys.list()).map((x) => x.name), ['screen']);
      assert.equal(await store.moonrakerKeys.delete('screen'), true);
      assert.equal(await store.moonrakerKeys.delete('screen'), false);
    });

    test('token families: revoke all of a user but one', async () => {
      const u = await store.users.create(newUser('bob'));
      const now = Date.now();
      for (const id of ['s1', 's2', 's3']) await store.sessions.create({ id, userId: u.id, createdAt: now, expiresAt: now + 60_000, revokedAt: null, refreshJti: 'j0' });
      const revoked = await store.sessions.revokeForUser(u.id, now, 's2');
      assert.deepEqual(revoked.sort(), ['s1', 's3']);
      assert.deepEqual((await store.sessions.listLive(now)).map((s) => s.id), ['s2']);
      assert.equal(await store.sessions.setRefreshJti('s2', 'j1', 'j0'), true);
      assert.equal(await store.sessions.setRefreshJti('s2', 'j2', 'j0'), false, 'a spent refresh id cannot advance twice');
    });

    test('session clients: written with their family or browser session, one id space for both, pruned by age, gone with the account', async () => {
      const u = await store.users.create(newUser('cli-sue'));
      const now = Date.now();
      await store.sessions.create({ id: 'f1', userId: u.id, createdAt: now, expiresAt: now + 60_000, revokedAt: null, refreshJti: null }, { ip: '127.0.0.1', userAgent: 'Firefox' });
      await store.sessions.create({ id: 'f2', userId: u.id, createdAt: now, expiresAt: now + 60_000, revokedAt: null, refreshJti: null }); // no client: no row
      const w = await store.webSessions.create({ userId: u.id, tokenHash: 'th-cli-sue', prevTokenHash: null, createdAt: now - 10, rotatedAt: now, seenAt: now, revokedAt: null }, { ip: '127.0.0.2', userAgent: 'Chrome' });
      const rows = await store.sessionClients.ofUser(u.id);
      assert.deepEqual(rows.map((r) => [r.kind, r.ref, r.ip, r.userAgent]), [['moonraker', 'f1', '127.0.0.1', 'Firefox'], ['grafana', String(w.id), '127.0.0.2', 'Chrome']]);
      assert.notEqual(rows[0]!.id, rows[1]!.id);
      assert.deepEqual(await store.sessionClients.byId(rows[1]!.id), rows[1]);
      await store.sessionClients.prune(now - 5);
      assert.deepEqual((await store.sessionClients.ofUser(u.id)).map((r) => r.ref), ['f1'], 'the older row pruned');
      await store.users.delete(u.id);
      assert.equal(await store.sessionClients.byId(rows[0]!.id), undefined, 'gone with the account');
    });

    test('oneshot take is atomic: of two concurrent takes exactly one wins', async () => {
      await store.oneshot.put('hash-1', { userId: null, identityKind: 'api_key', ip: '127.0.0.1', expiresAt: Date.now() + 5000 });
      const results = await Promise.all([store.oneshot.take('hash-1'), store.oneshot.take('hash-1')]);
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('settings upsert and audit filters', async () => {
      await store.settings.set('k', 'v1');
      await store.settings.set('k', 'v2');
      assert.equal(await store.settings.get('k'), 'v2');
      await store.audit.append({ at: 1000, event: 'login_ok', username: 'ada', ip: '127.0.0.1', detail: { source: 'moonraker' } });
      await store.audit.append({ at: 2000, event: 'login_failed', username: 'bob', ip: '127.0.0.1', detail: null });
      const rows = await store.audit.query({ event: 'login_ok' });
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0]!.detail, { source: 'moonraker' });
      assert.equal((await store.audit.query({ since: 1500 })).length, 1);
    });

    test('login attempts: counts by account and by address within the window, together and apart', async () => {
      await store.loginAttempts.add('eve', '10.0.0.1', 1000);
      await store.loginAttempts.add('eve', '10.0.0.2', 2000);
      await store.loginAttempts.add('mallory', '10.0.0.1', 3000);
      assert.deepEqual(await store.loginAttempts.counts('eve', '10.0.0.1', 0), { username: 2, ip: 2 });
      assert.deepEqual(await store.loginAttempts.counts('eve', '10.0.0.1', 1500), { username: 1, ip: 1 });
      assert.deepEqual(await store.loginAttempts.counts('nobody', '10.9.9.9', 0), { username: 0, ip: 0 });
      assert.equal(await store.loginAttempts.countByUsername('eve', 0), 2);
      assert.equal(await store.loginAttempts.countByIp('10.0.0.1', 0), 2);
      await store.loginAttempts.resetUsername('eve');
      assert.deepEqual(await store.loginAttempts.counts('eve', '10.0.0.1', 0), { username: 0, ip: 1 });
    });

    test('api keys: unique (org, name), lookup by hash', async () => {
      const k = await store.apiKeys.create({ orgId: 1, name: 'ci', role: 'Viewer', hash: 'abc', hashKind: 'sha256', serviceAccountId: null, expiresAt: null });
      assert.equal((await store.apiKeys.byHash('abc'))?.id, k.id);
      await assert.rejects(store.apiKeys.create({ orgId: 1, name: 'ci', role: 'Admin', hash: 'def', hashKind: 'sha256', serviceAccountId: null, expiresAt: null }), DuplicateError);
    });
  });
}

test('PostgreSQL: connections the server drops while idle neither crash the process nor fail the next query', async () => {
  const db = await createTempDatabase();
  const store = await openStore({ engine: 'postgres', dataDir: '', postgresUrl: db.url });
  try {
    await store.settings.set('k', 'v');
    const admin = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/test' });
    await admin.connect();
    try {
      const r = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [new URL(db.url).pathname.slice(1)]);
      assert.ok(r.rowCount! >= 1, 'the store had an idle connection to drop');
    } finally {
      await admin.end();
    }
    await new Promise((r) => setTimeout(r, 200)); // the pool hears of it
    assert.equal(await store.settings.get('k'), 'v');
  } finally {
    await store.close();
    await db.drop();
  }
});

test('the Moonraker face works unchanged on PostgreSQL, and two instances share one database', async () => {
  const db = await createTempDatabase();
  const a = await startGatehouse({ gatehouse: { store: 'postgres', postgres_url: db.url } });
  // Instances behind one load balancer share the key files (README, "Scaling out").
  const bDir = mkdtempSync(join(tmpdir(), 'gatehouse-b-'));
  for (const f of ['master.key', 'jwt-ed25519.pem']) copyFileSync(join(a.dataDir, f), join(bDir, f));
  const b = await startGatehouse({ gatehouse: { store: 'postgres', postgres_url: db.url } }, bDir);
  try {
    const created = await a.req('POST', '/access/user', { body: { username: 'pg-user', password: 'pw' }, headers: { 'x-api-key': a.apiKey() } });
    assert.equal(created.status, 200, created.text);
    const login = await b.req('POST', '/access/login', { body: { username: 'pg-user', password: 'pw' } });
    assert.equal(login.status, 200, login.text);
    const list = await b.req('GET', '/access/users/list', { headers: { authorization: `Bearer ${login.json.result.token}` } });
    assert.deepEqual(list.json.result.users.map((u: any) => u.username), ['admin', 'pg-user']);
    // a token issued by b works on a at once; a logout on a reaches b within the sync interval
    const auth = { authorization: `Bearer ${login.json.result.token}` };
    assert.equal((await a.req('GET', '/access/user', { headers: auth })).status, 200);
    assert.equal((await a.req('POST', '/access/logout', { headers: auth })).status, 200);
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await b.req('GET', '/access/user', { headers: auth })).status;
    }
    assert.equal(status, 401);
  } finally {
    await a.stop();
    await b.stop();
    await db.drop();
  }
});
