// Issue 17, finding 2 (high): cross-face privilege escalation. Moonraker's
// `DELETE /access/user` (and its JSON-RPC twin `access.delete_user`) lets any
// Moonraker-face identity — a Grafana Viewer logged in with /access/login, the
// Moonraker API key, a trusted address with no credentials — delete the
// Grafana server admin and an org's last Admin; only the CLI can recover. On
// the Grafana face an org Admin who is not a server admin can delete the
// server admin too (removing it from its only org deletes the account), and
// the last server admin can delete itself the same way.
//
// The rule the fix implements (docs/notes/security-findings.md, for
// docs/security.md): one authority for both faces. Deleting or changing a
// Grafana server admin, or an org's last Admin, needs server-admin rights on
// whichever face it is asked; the last server admin cannot be removed at all.
//
// Expected: the Moonraker face refuses with 403 in its envelope
// `{"error": {"code": 403, "message": "…"}}` (a message naming the admin
// rule), over HTTP and JSON-RPC (error code 403); the Grafana face refuses
// with 403 `{"message"}` (400 or 403 for the last server admin removing
// itself); after every attempt the admin still signs in as a server admin.
// Ordinary accounts can still be deleted with the API key (Moonraker's rule).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Running } from '../../helpers/server.js';
import { ADMIN_PASSWORD, addToOrg, admin, basic, mkOrg, mkUser, setRole, startGrafana } from '../../grafana/helpers.js';
import { RpcClient } from '../../websocket/client.js';
import { send, within } from './helpers.js';

// ---- option overrides ([authorization] trusted_clients = 127.0.0.9) ----
const TRUSTED = '127.0.0.9';
const OVERRIDES = { authorization: { trusted_clients: [TRUSTED] } };

/** A Moonraker-shaped 403 whose message says why (the admin rule). */
function assertMoonrakerForbidden(r: { status: number; json: any; text: string }, what: string) {
  assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
  assert.deepEqual(Object.keys(r.json ?? {}), ['error'], `${what}: ${r.text}`);
  assert.equal(r.json.error.code, 403, `${what}: ${r.text}`);
  assert.match(r.json.error.message, /admin/i, `${what}: ${r.text}`);
}

function assertRpcForbidden(answer: any, what: string) {
  assert.ok(answer.error, `${what}: expected an error, got ${JSON.stringify(answer)}`);
  assert.equal(answer.error.code, 403, `${what}: ${JSON.stringify(answer)}`);
  assert.match(answer.error.message, /admin/i, `${what}: ${JSON.stringify(answer)}`);
}

/** The bootstrap admin still exists and signs in on both faces as a Grafana server admin. */
async function adminIntact(s: Running, after: string) {
  const me = await s.req('GET', '/api/user', { headers: admin() });
  assert.equal(me.status, 200, `after ${after}: the admin no longer signs in on the Grafana face: ${me.status} ${me.text}`);
  assert.equal(me.json.login, 'admin', after);
  assert.equal(me.json.isGrafanaAdmin, true, `after ${after}: the admin is no longer a server admin`);
  const mr = await s.req('POST', '/access/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  assert.equal(mr.status, 200, `after ${after}: the admin no longer signs in on the Moonraker face: ${mr.status} ${mr.text}`);
  const org = await s.req('GET', '/api/org/users', { headers: admin() });
  assert.equal(org.json.find((m: any) => m.login === 'admin')?.role, 'Admin', `after ${after}: the admin lost its Admin role in Main Org.`);
}

async function rpc(s: Running, o: { headers?: Record<string, string>; localAddress?: string }, username: string) {
  const c = await RpcClient.open(s.port, o);
  try {
    return await c.call('access.delete_user', { username });
  } finally {
    await within(c.close(), 3000);
  }
}

test('no Moonraker-face identity can delete the Grafana server admin or an org\'s last Admin; the Grafana face keeps the same rule', async () => {
  const s = await startGrafana(OVERRIDES);
  try {
    const adminId = (await s.req('GET', '/api/user', { headers: admin() })).json.id;
    await mkUser(s, 'vic', 'pw-vic'); // a Viewer of Main Org. (every Moonraker-made account is)
    await mkUser(s, 'dave', 'pw-dave');
    const olgaId = await mkUser(s, 'olga', 'pw-olga');
    await setRole(s, 1, olgaId, 'Admin'); // a second Admin of Main Org., not a server admin
    // "Team": carol is its only Admin (the admin created it, added carol, then left it)
    const team = await mkOrg(s, 'Team');
    await mkUser(s, 'carol', 'pw-carol');
    await addToOrg(s, team, 'carol', 'Admin');
    const left = await s.req('DELETE', `/api/org/users/${adminId}`, { headers: { ...admin(), 'x-grafana-org-id': String(team) } });
    assert.equal(left.status, 200, left.text);

    const vic = await s.req('POST', '/access/login', { body: { username: 'vic', password: 'pw-vic' } });
    assert.equal(vic.status, 200, vic.text);
    const vicBearer = { authorization: `Bearer ${vic.json.result.token}` };
    const apiKey = { 'x-api-key': s.apiKey() };

    // ---- the Moonraker face, over HTTP ----
    for (const [who, headers, localAddress] of [
      ['a Grafana Viewer with a Moonraker JWT', vicBearer, undefined],
      ['the Moonraker API key', apiKey, undefined],
      ['a trusted address with no credentials', {}, TRUSTED],
    ] as const) {
      for (const target of ['admin', 'carol']) {
        const r = await send(s.port, { method: 'DELETE', path: `/access/user?username=${target}`, headers: { ...headers }, localAddress });
        assertMoonrakerForbidden(r, `DELETE /access/user ${target} as ${who}`);
        await adminIntact(s, `DELETE /access/user ${target} as ${who}`);
      }
      // the same with the name in a JSON body
      const body = await send(s.port, { method: 'DELETE', path: '/access/user', headers: { ...headers }, json: { username: 'admin' }, localAddress });
      assertMoonrakerForbidden(body, `DELETE /access/user {"username":"admin"} as ${who}`);
      await adminIntact(s, `DELETE /access/user {"username":"admin"} as ${who}`);
    }

    // ---- the Moonraker face, over JSON-RPC ----
    for (const [who, o] of [
      ['a Grafana Viewer with a Moonraker JWT', { headers: vicBearer }],
      ['the Moonraker API key', { headers: apiKey }],
      ['a trusted address with no credentials', { localAddress: TRUSTED }],
    ] as const) {
      for (const target of ['admin', 'carol']) {
        assertRpcForbidden(await rpc(s, o, target), `access.delete_user ${target} as ${who}`);
        await adminIntact(s, `access.delete_user ${target} as ${who}`);
      }
    }

    // carol is still Team's Admin
    const carol = await s.req('GET', '/api/user', { headers: basic('carol', 'pw-carol') });
    assert.equal(carol.status, 200, `carol was deleted: ${carol.text}`);
    const carolInTeam = await s.req('GET', '/api/user/orgs', { headers: basic('carol', 'pw-carol') });
    assert.equal(carolInTeam.json.find((o: any) => o.orgId === team)?.role, 'Admin', carolInTeam.text);

    // ---- the Grafana face: an org Admin who is not a server admin ----
    const olga = basic('olga', 'pw-olga');
    const del = await s.req('DELETE', `/api/org/users/${adminId}`, { headers: olga });
    assert.equal(del.status, 403, `an org Admin removed the server admin from its only org (deleting it): ${del.status} ${del.text}`);
    assert.equal(typeof del.json?.message, 'string', del.text);
    await adminIntact(s, 'DELETE /api/org/users/<admin> by an org Admin');
    const demote = await s.req('PATCH', `/api/org/users/${adminId}`, { headers: olga, body: { role: 'Viewer' } });
    assert.equal(demote.status, 403, `an org Admin changed the server admin's role: ${demote.status} ${demote.text}`);
    await adminIntact(s, 'PATCH /api/org/users/<admin> by an org Admin');

    // ---- the last server admin cannot remove itself (Main Org. has another Admin, olga) ----
    const self = await s.req('DELETE', `/api/org/users/${adminId}`, { headers: admin() });
    assert.ok(self.status === 400 || self.status === 403, `the last server admin removed itself: ${self.status} ${self.text}`);
    await adminIntact(s, 'DELETE /api/org/users/<admin> by the admin itself');

    // ---- must hold: ordinary accounts are still managed as before ----
    const dave = await s.req('DELETE', '/access/user', { headers: apiKey, body: { username: 'dave' } });
    assert.equal(dave.status, 200, `the API key can no longer delete an ordinary account: ${dave.text}`);
    assert.deepEqual(dave.json, { result: { username: 'dave', action: 'user_deleted' } });
    const olgaDown = await s.req('PATCH', `/api/org/users/${olgaId}`, { headers: admin(), body: { role: 'Editor' } });
    assert.equal(olgaDown.status, 200, `the server admin can no longer change an org Admin's role: ${olgaDown.text}`);
  } finally {
    await s.stop();
  }
});
