// docs/multi-instance.md, as written: three instances behind nginx (round robin) on
// one PostgreSQL. Every request of a client lands on whichever instance; none is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, bearer, startCluster } from '../helpers/instances.js';
import { RpcClient } from '../websocket/client.js';

const NGINX = '/usr/sbin/nginx';
const skip = !existsSync(NGINX) && !process.env.CI ? 'nginx is not installed (.ci/run installs it)' : false;
const freePort = () => new Promise<number>((ok) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => ok(p)); }); });

/** The server block of docs/multi-instance.md, with test paths and ports. */
function conf(dir: string, port: number, backends: number[]): string {
  const doc = readFileSync('docs/multi-instance.md', 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(doc)![1]!;
  let i = 0;
  const body = block.replace(/server 127\.0\.0\.1:72\d\d/g, () => `server 127.0.0.1:${backends[i++]}`).replace('listen 7125;', `listen 127.0.0.1:${port};`);
  assert.equal(i, 3);
  const tmp = (n: string) => `${n}_temp_path ${dir}/tmp/${n};`;
  return `worker_processes 1;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 256; }\nhttp {\n access_log off;\n ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(tmp).join('\n ')}\n${body}\n}\n`;
}

test('three instances behind nginx as docs/multi-instance.md configures them: logins, tokens, websockets and a logout through the balancer', { skip }, async () => {
  const cluster = await startCluster(3);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), conf(dir, port, cluster.nodes.map((n) => n.port)));
  const nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    for (let up = false; !up;) {
      assert.equal(nginx.exitCode, null, 'nginx runs');
      up = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
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
    nginx.kill('SIGTERM');
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
