// First start: the bootstrap admin from [security] admin_user / admin_password /
// admin_email — a generated password (shown once, never logged) when none is
// configured, never a well-known default — recorded so it is not repeated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouse } from '../helpers/server.js';
import { basic, startGrafana } from './helpers.js';

test('configured admin_user / admin_password / admin_email: a Grafana server admin, Admin of the default org', async () => {
  const s = await startGrafana({ security: { admin_user: 'root', admin_password: 'root-pw', admin_email: 'root@example.org' } });
  try {
    assert.deepEqual(s.gh.core.bootstrap, { login: 'root', created: true });
    const me = await s.req('GET', '/api/user', { headers: basic('root', 'root-pw') });
    assert.equal(me.status, 200);
    assert.equal(me.json.isGrafanaAdmin, true);
    assert.equal(me.json.email, 'root@example.org');
    assert.deepEqual((await s.req('GET', '/api/user/orgs', { headers: basic('root@example.org', 'root-pw') })).json, [{ orgId: 1, name: 'Main Org.', role: 'Admin' }]);
    assert.equal((await s.req('GET', '/api/orgs', { headers: basic('root', 'root-pw') })).status, 200);
    // the same account on the Moonraker face
    const ml = await s.req('POST', '/access/login', { body: { username: 'root', password: 'root-pw' } });
    assert.equal(ml.status, 200);
    assert.ok(!s.logs.join('').includes('root-pw'));
  } finally {
    await s.stop();
  }
});

test('no admin_password: a random one is generated, returned once, not logged; admin/admin does not work', async () => {
  const s = await startGatehouse({ gatehouse: { grafana_enabled: true } });
  try {
    const b = s.gh.core.bootstrap!;
    assert.equal(b.login, 'admin');
    assert.equal(b.created, true);
    assert.match(b.generatedPassword!, /^[0-9A-Za-z]{20}$/);
    assert.equal((await s.req('GET', '/api/org', { headers: basic('admin', 'admin') })).status, 401);
    assert.equal((await s.req('GET', '/api/org', { headers: basic('admin', b.generatedPassword!) })).status, 200);
    const lines = s.logs.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const warn = lines.filter((l) => l.level === 40 && /shown once/.test(l.msg));
    assert.equal(warn.length, 1, 'one warning that the password is shown once');
    assert.ok(!s.logs.join('').includes(b.generatedPassword!), 'the password itself is never logged');
  } finally {
    await s.stop();
  }
});

test('bootstrap happens once per store: a restart (even with another admin_password) changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-boot-'));
  try {
    const first = await startGatehouse({ gatehouse: { grafana_enabled: true } }, dir);
    const pw = first.gh.core.bootstrap!.generatedPassword!;
    await first.stop({ keepData: true });
    const second = await startGatehouse({ gatehouse: { grafana_enabled: true }, security: { admin_password: 'another-one' } }, dir);
    try {
      assert.equal(second.gh.core.bootstrap, null);
      assert.ok(!second.logs.join('').includes('shown once'));
      assert.equal((await second.req('GET', '/api/org', { headers: basic('admin', pw) })).status, 200);
      assert.equal((await second.req('GET', '/api/org', { headers: basic('admin', 'another-one') })).status, 401);
      // deleting the admin later does not bring it back on the next start (another server admin
      // first: the last enabled server admin cannot be deleted, docs/security.md)
      const other = await second.gh.core.accounts.create({ username: 'root2', password: 'pw-root2', actor: null });
      await second.gh.core.accounts.update(other.user.id, { isAdmin: true });
      await second.gh.core.accounts.delete({ username: 'admin', actor: null });
    } finally {
      await second.stop({ keepData: true });
    }
    const third = await startGatehouse({ gatehouse: { grafana_enabled: true } }, dir);
    try {
      assert.equal(third.gh.core.bootstrap, null);
      assert.equal(third.gh.core.accounts.get('admin'), undefined);
    } finally {
      await third.stop({ keepData: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an existing account named admin_user is promoted only when admin_password proves it is the operator\'s', async () => {
  for (const [configured, promoted] of [['moon-pw', true], ['not-it', false], [undefined, false]] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'gh-boot-'));
    try {
      // A store made by a Moonraker-only install (Grafana face off), where a Moonraker user took the name "admin".
      const m = await startGatehouse({ gatehouse: { grafana_enabled: false } }, dir);
      const c = await m.req('POST', '/access/user', { headers: { 'x-api-key': m.apiKey() }, body: { username: 'admin', password: 'moon-pw' } });
      assert.equal(c.status, 200);
      await m.stop({ keepData: true });
      const s = await startGatehouse({ gatehouse: { grafana_enabled: true }, security: configured ? { admin_password: configured } : {} }, dir);
      try {
        assert.deepEqual(s.gh.core.bootstrap, { login: 'admin', created: false });
        const me = await s.req('GET', '/api/user', { headers: basic('admin', 'moon-pw') });
        assert.equal(me.status, 200, 'the password stays the account\'s own');
        assert.equal(me.json.isGrafanaAdmin, promoted, String(configured));
        const role = (await s.req('GET', '/api/user/orgs', { headers: basic('admin', 'moon-pw') })).json[0].role;
        assert.equal(role, promoted ? 'Admin' : 'Viewer');
        if (!promoted) assert.match(s.logs.join(''), /already exists/);
      } finally {
        await s.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
