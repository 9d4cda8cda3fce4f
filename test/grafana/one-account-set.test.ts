// Issue 22, point 6: accounts made on the Grafana face and on the Moonraker face are
// one account set. A login, a rename, a password change and a deletion on one face
// show on the other at once, in both directions, and a disable on the Grafana face
// shows on the Moonraker face (docs/notes/grafana-admin-api.md §9, README "One
// account set, two faces"). The tests that needed issue 22's routes were written
// before them (as todo tests); they all run now.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Running } from '../helpers/server.js';
import { admin, basic, errutil, startGrafana } from './helpers.js';
import { cookie, loginAs, moonrakerLogin, moonrakerWhoami } from './callers.js';

const TODO = {};
const BAD_CREDS = errutil('Invalid username or password', 'password-auth.failed', 401);

let s: Running;

before(async () => {
  s = await startGrafana();
});
after(() => s.stop());

const moonraker = {
  create: (username: string, password: string) =>
    s.req('POST', '/access/user', { headers: { 'x-api-key': s.apiKey() }, body: { username, password } }),
  remove: (username: string) => s.req('DELETE', '/access/user', { headers: { 'x-api-key': s.apiKey() }, body: { username } }),
  changePassword: (jwt: string, password: string, newPassword: string) =>
    s.req('POST', '/access/user/password', { headers: { authorization: `Bearer ${jwt}` }, body: { password, new_password: newPassword } }),
  login: (username: string, password: string) => s.req('POST', '/access/login', { body: { username, password } }),
  users: async () => (await s.req('GET', '/access/users/list', { headers: { 'x-api-key': s.apiKey() } })).json.result.users.map((u: any) => u.username),
};

/** POST /api/admin/users (issue 22); returns the new id. */
async function grafanaCreate(login: string, password: string): Promise<number> {
  const r = await s.req('POST', '/api/admin/users', { headers: admin(), body: { login, password, email: `${login}@example.org` } });
  assert.equal(r.status, 200, r.text);
  return r.json.id;
}

test('an account made on the Moonraker face signs in on the Grafana face: Basic, the login form, and it is listed in org 1', async () => {
  assert.equal((await moonraker.create('mo', 'pw-mo')).status, 200);
  const me = await s.req('GET', '/api/user', { headers: basic('mo', 'pw-mo') });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.login, 'mo');
  const c = await loginAs(s, 'mo', 'pw-mo');
  assert.equal((await s.req('GET', '/api/user', { headers: cookie(c) })).json.login, 'mo');
  assert.ok((await s.req('GET', '/api/org/users', { headers: admin() })).json.some((u: any) => u.login === 'mo'));
});

test('an account made on the Grafana face (POST /api/admin/users) signs in on the Moonraker face and is listed there', TODO, async () => {
  await grafanaCreate('gina', 'pw-gina');
  const jwt = await moonrakerLogin(s, 'gina', 'pw-gina');
  assert.equal((await moonrakerWhoami(s, jwt)).json.result.username, 'gina');
  assert.ok((await moonraker.users()).includes('gina'));
  // and the Moonraker face's login is one of the account's sessions on the Grafana face (note §8.4)
  const id = (await s.req('GET', '/api/user', { headers: basic('gina', 'pw-gina') })).json.id;
  assert.equal((await s.req('GET', `/api/admin/users/${id}/auth-tokens`, { headers: admin() })).json.length, 1);
});

test('a password change on the Moonraker face: the old password fails on the Grafana face at once, the new one works, its browser sessions end', async () => {
  await moonraker.create('max', 'pw-max-1');
  const c = await loginAs(s, 'max', 'pw-max-1');
  assert.equal((await s.req('GET', '/api/org', { headers: basic('max', 'pw-max-1') })).status, 200, 'now in the credential cache');
  const jwt = await moonrakerLogin(s, 'max', 'pw-max-1');
  assert.equal((await moonraker.changePassword(jwt, 'pw-max-1', 'pw-max-2')).status, 200);
  assert.deepEqual((await s.req('GET', '/api/org', { headers: basic('max', 'pw-max-1') })).json, BAD_CREDS);
  assert.equal((await s.req('GET', '/api/org', { headers: basic('max', 'pw-max-2') })).status, 200);
  assert.equal((await s.req('GET', '/api/org', { headers: cookie(c) })).status, 401);
  assert.equal((await s.req('POST', '/login', { body: { user: 'max', password: 'pw-max-1' } })).status, 401);
  await loginAs(s, 'max', 'pw-max-2');
});

test('a password change on the Grafana face (PUT /api/user/password): the old password fails on the Moonraker face at once, its logins end', TODO, async () => {
  await moonraker.create('gus', 'pw-gus-1');
  const jwt = await moonrakerLogin(s, 'gus', 'pw-gus-1');
  const r = await s.req('PUT', '/api/user/password', { headers: basic('gus', 'pw-gus-1'), body: { oldPassword: 'pw-gus-1', newPassword: 'pw-gus-2', confirmNew: 'pw-gus-2' } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await moonrakerWhoami(s, jwt)).status, 401);
  const old = await moonraker.login('gus', 'pw-gus-1');
  assert.equal(old.status, 400);
  assert.deepEqual(old.json, { error: { code: 400, message: 'Invalid Password' } });
  await moonrakerLogin(s, 'gus', 'pw-gus-2');
});

test('a password reset by the server admin (PUT /api/admin/users/:id/password) reaches the Moonraker face at once', TODO, async () => {
  await moonraker.create('ray', 'pw-ray-1');
  const jwt = await moonrakerLogin(s, 'ray', 'pw-ray-1');
  const id = (await s.req('GET', '/api/user', { headers: basic('ray', 'pw-ray-1') })).json.id;
  assert.equal((await s.req('PUT', `/api/admin/users/${id}/password`, { headers: admin(), body: { password: 'pw-ray-2' } })).status, 200);
  assert.equal((await moonrakerWhoami(s, jwt)).status, 401);
  assert.equal((await moonraker.login('ray', 'pw-ray-1')).status, 400);
  await moonrakerLogin(s, 'ray', 'pw-ray-2');
});

test('a deletion on the Moonraker face: gone on the Grafana face at once (Basic, cookie, the admin\'s lists)', async () => {
  await moonraker.create('dee', 'pw-dee');
  const c = await loginAs(s, 'dee', 'pw-dee');
  assert.equal((await s.req('GET', '/api/org', { headers: basic('dee', 'pw-dee') })).status, 200);
  assert.equal((await moonraker.remove('dee')).status, 200);
  assert.deepEqual((await s.req('GET', '/api/org', { headers: basic('dee', 'pw-dee') })).json, BAD_CREDS);
  assert.equal((await s.req('GET', '/api/org', { headers: cookie(c) })).status, 401);
  assert.ok(!(await s.req('GET', '/api/org/users', { headers: admin() })).json.some((u: any) => u.login === 'dee'));
});

test('a deletion on the Grafana face (DELETE /api/admin/users/:id): gone on the Moonraker face at once (login, JWT, users list)', TODO, async () => {
  const id = await grafanaCreate('gwen', 'pw-gwen');
  const jwt = await moonrakerLogin(s, 'gwen', 'pw-gwen');
  assert.equal((await s.req('DELETE', `/api/admin/users/${id}`, { headers: admin() })).status, 200);
  assert.equal((await moonrakerWhoami(s, jwt)).status, 401);
  const login = await moonraker.login('gwen', 'pw-gwen');
  assert.equal(login.status, 400);
  assert.deepEqual(login.json, { error: { code: 400, message: 'Unregistered User: gwen' } });
  assert.ok(!(await moonraker.users()).includes('gwen'));
});

test('a rename on the Grafana face (PUT /api/users/:id): the Moonraker face knows the account by its new name only', TODO, async () => {
  await moonraker.create('old-name', 'pw-rename');
  const id = (await s.req('GET', '/api/user', { headers: basic('old-name', 'pw-rename') })).json.id;
  const r = await s.req('PUT', `/api/users/${id}`, { headers: admin(), body: { login: 'new-name' } });
  assert.equal(r.status, 200, r.text);
  const users = await moonraker.users();
  assert.ok(users.includes('new-name') && !users.includes('old-name'), users.join(','));
  await moonrakerLogin(s, 'new-name', 'pw-rename');
  assert.equal((await moonraker.login('old-name', 'pw-rename')).status, 400);
});

test('disable on the Grafana face: the Moonraker face refuses the account at once (login and JWT); enable lets the password in again', TODO, async () => {
  await moonraker.create('dana', 'pw-dana');
  const jwt = await moonrakerLogin(s, 'dana', 'pw-dana');
  const id = (await s.req('GET', '/api/user', { headers: basic('dana', 'pw-dana') })).json.id;
  assert.equal((await s.req('POST', `/api/admin/users/${id}/disable`, { headers: admin() })).status, 200);
  assert.equal((await moonrakerWhoami(s, jwt)).status, 401, 'its Moonraker login ended');
  const refused = await moonraker.login('dana', 'pw-dana');
  assert.equal(refused.status, 400, 'what a wrong password gets on the Moonraker face');
  assert.deepEqual(refused.json, { error: { code: 400, message: 'Invalid Password' } });
  assert.ok((await moonraker.users()).includes('dana'), 'disabled, not deleted');
  assert.equal((await s.req('POST', `/api/admin/users/${id}/enable`, { headers: admin() })).status, 200);
  await moonrakerLogin(s, 'dana', 'pw-dana');
  assert.equal((await moonrakerWhoami(s, jwt)).status, 401, 'the old login stays ended');
});
