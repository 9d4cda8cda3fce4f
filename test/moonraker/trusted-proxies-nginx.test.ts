// The README's nginx snippet ("Behind a reverse proxy (nginx)"), checked end to
// end with the real nginx in front of gatehouse and `trusted_proxies: 127.0.0.1`
// (nginx on the same host): a client nginx serves from a trusted address is
// trusted over HTTP and the websocket; another client is not, whatever
// X-Forwarded-For or X-Real-IP it sends (nginx appends the real peer to the
// first and overwrites the second). Issue 16 point 3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFromConfig, type Running } from '../helpers/server.js';
import { nginxMissing, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { reqFrom, resultOf } from './helpers.js';
import { RpcClient } from '../websocket/client.js';

const skip = nginxMissing;
const CLIENT = '127.0.0.5';
const STRANGER = '127.0.0.6';

let gh: Running;
let nginx: RunningNginx;

before(async () => {
  if (skip) return;
  gh = await startFromConfig(`[gatehouse]\ntrusted_proxies: 127.0.0.1\n[authorization]\ntrusted_clients: ${CLIENT}\n`);
  // The README's location block, with gatehouse's test port.
  nginx = await startNginx({
    http: `  map $http_upgrade $connection_upgrade { default upgrade; '' close; }`,
    server: `    location ~ ^/(access|websocket) {
      proxy_pass http://127.0.0.1:${gh.port};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }`,
  });
});
after(async () => {
  await nginx?.stop();
  await gh?.stop();
});

const viaNginx = (from: string, path: string, headers: Record<string, string> = {}) => reqFrom({ port: nginx.port } as Running, from, 'GET', path, headers);

test('through nginx, the client nginx serves is the address trusted_clients sees; a stranger\'s forged headers do not reach past nginx', { skip }, async () => {
  assert.equal(resultOf(await viaNginx(CLIENT, '/access/info')).trusted, true);
  assert.equal(resultOf(await viaNginx(CLIENT, '/access/user')).username, '_TRUSTED_USER_');
  for (const h of [{}, { 'x-forwarded-for': CLIENT }, { 'x-real-ip': CLIENT }, { 'x-forwarded-for': CLIENT, 'x-real-ip': CLIENT }] as Record<string, string>[]) {
    assert.equal(resultOf(await viaNginx(STRANGER, '/access/info', h)).trusted, false, JSON.stringify(h));
    assert.equal((await viaNginx(STRANGER, '/access/user', h)).status, 401, JSON.stringify(h));
  }
});

test('the websocket through nginx: the trusted client\'s socket acts as _TRUSTED_USER_, the stranger\'s needs auth', { skip }, async () => {
  const trusted = await RpcClient.open(nginx.port, { localAddress: CLIENT });
  const stranger = await RpcClient.open(nginx.port, { localAddress: STRANGER, headers: { 'x-forwarded-for': CLIENT } });
  try {
    assert.equal((await trusted.result('access.get_user')).username, '_TRUSTED_USER_');
    assert.deepEqual((await stranger.call('access.get_user')).error, { code: -32602, message: 'Unauthorized' });
  } finally {
    await trusted.close();
    await stranger.close();
  }
});
