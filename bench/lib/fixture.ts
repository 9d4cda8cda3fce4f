// A gatehouse under test, as the bench's servers and the pipeline microbench
// use it: the production composition root (createGatehouse) with the
// configuration the config loader gives a small moonraker.conf (so defaults —
// log level included — are the shipped ones), a fresh data directory, and the
// credentials the scenarios need:
//   - user "bench" (local, argon2id) and an access JWT of it,
//   - the Moonraker API key,
//   - with the Grafana face: a legacy API key and a service-account token
//     (created through the face's own API, as an operator would).
//   - with loginUsers: N, N more users (bench-0 … bench-N-1, same password) for
//     login storms: gatehouse refuses a burst of concurrent logins to ONE account
//     (pending attempts count toward its lockout), so a storm is many accounts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createGatehouse, type Gatehouse } from '../../src/server/gatehouse.js';
import type { GatehouseInfo } from './http-scenarios.js';

export const BENCH_USER = 'bench';
export const BENCH_PASSWORD = 'bench-password-1';
const ADMIN_PASSWORD = 'bench-admin-password-1';

export interface FixtureSpec {
  trustedClients?: string[]; grafana?: boolean; logLevel?: string; loginUsers?: number; plainHttp?: boolean;
  /** An upstream Moonraker's origin: gateway mode ([gateway] moonraker_upstream; the Grafana face off, as that needs a listener of its own). */
  gateway?: string;
}

/** Starts a gatehouse listening on a free loopback port, with the bench's credentials. */
export async function benchGatehouse(spec: FixtureSpec): Promise<{ gh: Gatehouse; info: GatehouseInfo; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const confFile = join(dataDir, 'moonraker.conf');
  writeFileSync(confFile, [
    '[gatehouse]',
    'host = 127.0.0.1',
    ...(spec.logLevel ? [`log_level = ${spec.logLevel}`] : []),
    ...(spec.gateway ? ['grafana_enabled = false'] : []),
    '[authorization]',
    ...(spec.trustedClients?.length ? [`trusted_clients = ${spec.trustedClients.join(', ')}`] : []),
    ...(spec.gateway ? ['[gateway]', `moonraker_upstream = ${spec.gateway}`] : []),
    '',
  ].join('\n'));

  const config = loadConfig({ file: confFile, overrides: { dataDir, port: 0 } }).config;
  config.gatehouse.grafana_enabled = !!spec.grafana && !spec.gateway;
  config.security.admin_password = ADMIN_PASSWORD;
  // 7c measures forwarding, not the per-connection message rate limit (50/s by default), which its closed loop of 32 sockets would hit at once.
  if (spec.gateway) config.limits.ws_messages_per_second = config.limits.ws_burst = 1_000_000;

  const gh = await createGatehouse({ ...config, plainHttp: spec.plainHttp });
  const { port } = await gh.listen();
  const login = await gh.core.accounts.create({ username: BENCH_USER, password: BENCH_PASSWORD, actor: null });

  const loginUsers: string[] = [];
  for (let i = 0; i < (spec.loginUsers ?? 0); i++) {
    loginUsers.push(`${BENCH_USER}-${i}`);
    await gh.core.accounts.create({ username: `${BENCH_USER}-${i}`, password: BENCH_PASSWORD, actor: null });
  }

  // A named Moonraker key (issue 20), scope read: enough for GET /access/user, so the scope check runs and passes.
  const named = await gh.core.moonrakerKeys.create({ name: 'bench-named-key', scope: 'read', actor: null });
  const info: GatehouseInfo = { port, jwt: login.token, apiKey: gh.core.apiKey.get(), namedKey: named.key, user: BENCH_USER, password: BENCH_PASSWORD, loginUsers };
  if (spec.grafana) {
    try {
      info.grafana = await grafanaCredentials(`http://127.0.0.1:${port}`);
    } catch (err) {
      info.grafanaError = (err as Error).message;
    }
  }
  return {
    gh, info,
    async close() {
      await gh.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function grafanaCredentials(base: string) {
  const admin = { authorization: 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64'), 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const r = await fetch(base + path, { method: 'POST', headers: admin, body: JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${text}`);
    return JSON.parse(text);
  };
  const key = await post('/api/auth/keys', { name: 'bench-key', role: 'Viewer' });
  const sa = await post('/api/serviceaccounts', { name: 'bench-sa', role: 'Viewer' });
  const token = await post(`/api/serviceaccounts/${sa.id}/tokens`, { name: 'bench-token' });
  return { apiKey: key.key as string, saToken: token.key as string };
}
