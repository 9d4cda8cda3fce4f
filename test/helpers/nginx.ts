// The real nginx from Debian (`.ci/run` installs it), started on a free loopback
// port with the caller's `http`-level lines and `server { … }` body, for tests of
// the README's and docs' nginx snippets.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** NGINX_BIN: another nginx binary (e.g. one unpacked from the Debian package with dpkg -x). */
export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
export const nginxMissing = !existsSync(NGINX) && !process.env.CI ? 'nginx is not installed (.ci/run installs it)' : false;

export interface RunningNginx { port: number; stop: () => Promise<void>; errorLog: () => string }

/** `http`: http-level lines (a `map`, an `upstream`, whole `server` blocks); `server`: the body of one server block on `port` (listen is added). */
export type NginxSite = { http?: string; server?: string };

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

const readIf = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');

/** Starts nginx with `site`, or with `site(port)` when the configuration must name the port itself. */
export async function startNginx(site: NginxSite | ((port: number) => NginxSite)): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
  const asRoot = process.getuid?.() === 0;
  mkdirSync(join(dir, 'tmp'));
  if (asRoot) {
    // nginx's workers run as nobody: they must reach and write the temp paths (logs are opened by the master).
    chmodSync(dir, 0o755);
    chownSync(join(dir, 'tmp'), 65534, 65534);
  }
  const port = await freePort();
  const o = typeof site === 'function' ? site(port) : site;
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp/${t};`).join('\n');
  writeFileSync(join(dir, 'nginx.conf'), `${asRoot ? 'user nobody nogroup;' : ''}
worker_processes 1;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
${temp}
${o.http ?? ''}
${o.server === undefined ? '' : `  server {\n    listen 127.0.0.1:${port};\n${o.server}\n  }`}
}
`);
  const nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr!.on('data', (c) => (stderr += c));
  const stop = async () => {
    if (nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGTERM');
      const timer = setTimeout(() => nginx.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (nginx.exitCode !== null) {
      const why = `nginx exited: ${stderr}${readIf(join(dir, 'error.log'))}`;
      await stop();
      throw new Error(why);
    }
    const ok = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) break;
    if (i > 100) {
      await stop();
      throw new Error(`nginx did not listen within 5 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop, errorLog: () => readIf(join(dir, 'error.log')) };
}
