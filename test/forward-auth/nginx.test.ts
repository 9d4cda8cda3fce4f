// The real nginx from Debian (`.ci/run` installs it) with `auth_request
// /auth/verify` against gatehouse, in front of the recording upstream: the
// snippet docs/gateway.md gives, checked end to end. Gatehouse runs with both
// faces on one listener (the shipped default; no gateway here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { startUpstream, type RecordingUpstream } from '../helpers/upstream.js';
import { ADMIN_PASSWORD, admin, basic, login as grafanaLogin, mkKey, mkUser } from '../grafana/helpers.js';
import { createUser } from '../moonraker/helpers.js';
import { nginxMissing as skip, startNginx, type RunningNginx } from '../helpers/nginx.js';

let nginx: RunningNginx;
let gh: Running;
let up: RecordingUpstream;
let port: number;

/** The site: every request needs a 2xx from /auth/verify; Remote-User (and Grafana's X-WEBAUTH-USER) go on to the upstream. */
function site(gatehouse: number, upstream: number): string {
  return `
    location = /_gatehouse_verify {
      internal;
      proxy_pass http://127.0.0.1:${gatehouse}/auth/verify;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Method $request_method;
    }
    location / {
      auth_request /_gatehouse_verify;
      auth_request_set $remote_user_ $upstream_http_remote_user;
      auth_request_set $remote_role_ $upstream_http_remote_role;
      auth_request_set $remote_groups_ $upstream_http_remote_groups;
      proxy_set_header Remote-User $remote_user_;
      proxy_set_header Remote-Role $remote_role_;
      proxy_set_header Remote-Groups $remote_groups_;
      proxy_set_header X-WEBAUTH-USER $remote_user_;
      proxy_set_header Authorization "";
      proxy_pass http://127.0.0.1:${upstream};
    }`;
}

before(async () => {
  if (skip) return;
  up = await startUpstream();
  gh = await startGatehouse({ gatehouse: { grafana_enabled: true }, security: { admin_password: ADMIN_PASSWORD } });
  nginx = await startNginx({ server: site(gh.port, up.port) });
  port = nginx.port;
});

after(async () => {
  await nginx?.stop();
  await gh?.stop();
  await up?.close();
});

const viaNginx = (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${port}${path}`, { headers, redirect: 'manual' });

test('nginx auth_request: no credential is a 401 and the upstream sees nothing', { skip }, async () => {
  up.clear();
  for (const headers of [{}, { 'remote-user': 'admin' }, { 'x-api-key': 'wrong' }, basic('admin', 'wrong')] as Record<string, string>[]) {
    const r = await viaNginx('/server/echo', headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    await r.text();
  }
  assert.deepEqual(up.requests, []);
});

test('nginx auth_request: a Moonraker JWT, an X-Api-Key, a Grafana API key, Basic user:password and a session cookie each pass, with Remote-User set for the upstream', { skip }, async () => {
  const moon = await createUser(gh, 'ada', 'pw-ada-1');
  await mkUser(gh, 'bo', 'pw-bo-1');
  const key = await mkKey(gh, 'nginx-key', 'Editor');
  const cookie = await grafanaLogin(gh, 'admin', ADMIN_PASSWORD);
  const cases: [string, Record<string, string>, string, string][] = [
    ['Moonraker JWT', { authorization: `Bearer ${moon.token}` }, 'ada', 'Viewer'],
    ['X-Api-Key', { 'x-api-key': gh.apiKey() }, '_API_KEY_USER_', 'Admin'],
    ['Grafana API key', { authorization: `Bearer ${key.key}` }, 'api_key:nginx-key', 'Editor'],
    ['Basic user:password', basic('bo', 'pw-bo-1'), 'bo', 'Viewer'],
    ['session cookie', { cookie }, 'admin', 'Admin'],
    ['Basic admin, a spoofed Remote-User beside it', { ...admin(), 'remote-user': 'mallory' }, 'admin', 'Admin'],
  ];
  for (const [what, headers, user, role] of cases) {
    up.clear();
    const r = await viaNginx('/server/echo?x=1', headers);
    assert.equal(r.status, 200, `${what}: ${await r.clone().text()}`);
    const seen = ((await r.json()) as any).result;
    assert.equal(seen.url, '/server/echo?x=1', what);
    assert.equal(seen.headers['remote-user'], user, what);
    assert.equal(seen.headers['x-webauth-user'], user, what);
    assert.equal(seen.headers['remote-role'], role, what);
    assert.equal(seen.headers.authorization, undefined, what);
    assert.equal(up.requests.length, 1, what);
  }
});

test('nginx auth_request: a browser\'s 401 carries the sign-in hint nginx can send it to', { skip }, async () => {
  // nginx passes only the status of the subrequest; the hint is read with auth_request_set (see docs/gateway.md).
  const r = await fetch(`http://127.0.0.1:${gh.port}/auth/verify`, { headers: { accept: 'text/html', 'x-original-uri': '/server/echo' } });
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('location'), '/gatehouse/login?redirect=%2Fserver%2Fecho');
  const log = nginx.errorLog();
  assert.doesNotMatch(log, /\[(emerg|alert|crit)\]/, log);
});
