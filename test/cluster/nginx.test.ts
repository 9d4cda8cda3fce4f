// docs/multi-instance.md, as written: three instances behind nginx (round robin) on
// one PostgreSQL. Every request of a client lands on whichever instance; none is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ADMIN_PASSWORD, bearer, startCluster } from '../helpers/instances.js';
import { nginxMissing as skip, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { RpcClient } from '../websocket/client.js';

/** The nginx block of docs/multi-instance.md (an upstream and a server), with test ports. */
function site(port: number, backends: number[]): string {
  const doc = readFileSync('docs/multi-instance.md', 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(doc)![1]!;
  let i = 0;
  const body = block.replace(/server 127\.0\.0\.1:72\d\d/g, () => `server 127.0.0.1:${backends[i++]}`).replace('listen 7125;', `listen 127.0.0.1:${port};`);
  assert.equal(i, 3);
  return body;
}

test('three instances behind nginx as docs/multi-instance.md configures them: logins, tokens, websockets and a logout through the balancer', { skip }, async () => {
  const cluster = await startCluster(3);
  let nginx: RunningNginx | undefined;
  try {
    nginx = await startNginx((port) => ({ http: site(port, cluster.nodes.map((n) => n.port)) }));
    const port = nginx.port;
    const base = `http://127.0.0.1:${port}`;
    const req = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
      const r = await fetch(base + path, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, json: await r.json().catch(() => undefined) as any };
    };
    const login = await req('POST', '/access/login', {}, { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(login.status, 200);
    const auth = bearer(login.json.result.token);
    const apiKey = (await req('GET', '/access/api_key', auth)).json.result;
    const ws = await RpcClient.open(port);
    try {
      await ws.identify({ api_key: apiKey });
      for (let i = 0; i < 6; i++) {
        const made = await req('POST', '/access/user', auth, { username: `lb${i}`, password: 'lb-pw' });
        assert.equal(made.status, 200);
        const u = await req('GET', '/access/user', bearer(made.json.result.token));
        assert.equal(u.json?.result?.username, `lb${i}`, 'the next request, on the next instance');
        await ws.next((m) => m.method === 'notify_user_created' && m.params[0].username === `lb${i}`);
      }
      assert.equal((await req('POST', '/access/logout', auth)).status, 200);
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 3; i++) assert.equal((await req('GET', '/access/user', auth)).status, 401);
    } finally {
      await ws.close();
    }
  } finally {
    await nginx?.stop();
    await cluster.stop();
  }
});
