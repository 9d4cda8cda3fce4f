// The real nginx from Debian (`.ci/run` installs it) with `auth_request
// /auth/verify` against gatehouse, in front of the recording upstream: the
// snippet docs/gateway.md gives, checked end to end. Gatehouse runs with both
// faces on one listener (the shipped default; no gateway here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouse, type Running } from '../helpers/server.js';
import { startUpstream, type RecordingUpstream } from '../helpers/upstream.js';
import { ADMIN_PASSWORD, admin, basic, login as grafanaLogin, mkKey, mkUser } from '../grafana/helpers.js';
import { createUser } from '../moonraker/helpers.js';

const NGINX = '/usr/sbin/nginx';
const skip = !existsSync(NGINX) && !process.env.CI ? 'nginx is not installed (.ci/run installs it)' : false;

let dir: string;
let nginx: ChildProcess | undefined;
let gh: Running;
let up: RecordingUpstream;
let port: number;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

/** The site: every request needs a 2xx from /auth/verify; Remote-User (and Grafana's X-WEBAUTH-USER) go on to the upstream. */
function nginxConf(o: { dir: string; port: number; gatehouse: number; upstream: number; asRoot: boolean }): string {
  return `
${o.asRoot ? 'user nobody nogroup;  # workers drop root; they only need the temp paths below' : ''}
worker_processes 1;
error_log ${o.dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${o.dir}/access.log;
  client_body_temp_path ${o.dir}/tmp/body;
  proxy_temp_path ${o.dir}/tmp/proxy;
  fastcgi_temp_path ${o.dir}/tmp/fastcgi;
  uwsgi_temp_path ${o.dir}/tmp/uwsgi;
  scgi_temp_path ${o.dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${o.port};
    location = /_gatehouse_verify {
      internal;
      proxy_pass http://127.0.0.1:${o.gatehouse}/auth/verify;
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
      proxy_pass http://127.0.0.1:${o.upstream};
    }
  }
}
`;
}

before(async () => {
  if (skip) return;
  up = await startUpstream();
  gh = await startGatehouse({ gatehouse: { grafana_enabled: true }, security: { admin_password: ADMIN_PASSWORD } });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
  const asRoot = process.getuid?.() === 0;
  mkdirSync(join(dir, 'tmp'));
  if (asRoot) {
    // nginx's workers run as nobody: they must reach and write the temp paths (logs are opened by the master).
    chmodSync(dir, 0o755);
    chownSync(join(dir, 'tmp'), 65534, 65534);
  }
  port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), nginxConf({ dir, port, gatehouse: gh.port, upstream: up.port, asRoot }));
  nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr!.on('data', (c) => (stderr += c));
  for (let i = 0; ; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited: ${stderr}${readIf(join(dir, 'error.log'))}`);
    const ok = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) break;
    if (i > 100) throw new Error(`nginx did not listen within 5 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx!.once('exit', r));
    nginx.kill('SIGTERM');
    const timer = setTimeout(() => nginx!.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  await gh?.stop();
  await up?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const readIf = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
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
  const log = readIf(join(dir, 'error.log'));
  assert.doesNotMatch(log, /\[(emerg|alert|crit)\]/, log);
});
