// The five kinds of caller whose rights issue 22's tests check on every route
// (docs/notes/grafana-admin-api.md §1): a Viewer, an org Admin who is not a
// server admin, the server admin, an org API key with role Admin and a
// service-account token (the account's role Admin), all of org 1. Built only
// with what the Grafana face already serves, so a suite's before() never
// depends on the routes under test.
import assert from 'node:assert/strict';
import type { Running } from '../helpers/server.js';
import { ADMIN_PASSWORD, admin, assertDenied, basic, bearer, errutil, mkKey, mkUser, setRole } from './helpers.js';

export type Headers = Record<string, string>;

export interface Callers {
  viewer: Headers;
  orgAdmin: Headers;
  serverAdmin: Headers;
  apiKey: Headers;
  saToken: Headers;
  ids: { viewer: number; orgAdmin: number; serverAdmin: number; serviceAccount: number };
}

/** Creates vic (Viewer), ann (Admin of org 1), an Admin API key and an Admin service account with a token. */
export async function mkCallers(s: Running, prefix = 'c'): Promise<Callers> {
  const viewer = await mkUser(s, `${prefix}-vic`);
  const orgAdmin = await mkUser(s, `${prefix}-ann`);
  await setRole(s, 1, orgAdmin, 'Admin');
  const { key } = await mkKey(s, `${prefix}-admin-key`, 'Admin');
  const sa = await mkSaToken(s, `${prefix}-robot`, 'Admin');
  const me = await s.req('GET', '/api/user', { headers: admin() });
  assert.equal(me.status, 200, me.text);
  return {
    viewer: basic(`${prefix}-vic`, `pw-${prefix}-vic`),
    orgAdmin: basic(`${prefix}-ann`, `pw-${prefix}-ann`),
    serverAdmin: admin(),
    apiKey: bearer(key),
    saToken: bearer(sa.token),
    ids: { viewer, orgAdmin, serverAdmin: me.json.id, serviceAccount: sa.id },
  };
}

/** A service account of org `orgId` (header) with one token; returns the account id and the token. */
export async function mkSaToken(s: Running, name: string, role = 'Admin', orgId?: number): Promise<{ id: number; token: string }> {
  const headers = { ...admin(), ...(orgId ? { 'x-grafana-org-id': String(orgId) } : {}) };
  const sa = await s.req('POST', '/api/serviceaccounts', { headers, body: { name, role } });
  assert.equal(sa.status, 201, sa.text);
  const t = await s.req('POST', `/api/serviceaccounts/${sa.json.id}/tokens`, { headers, body: { name: `${name}-token` } });
  assert.equal(t.status, 200, t.text);
  return { id: sa.json.id, token: t.json.key };
}

/** The callers that are not the server admin, named for assertion messages. */
export function nonServerAdmins(c: Callers): [string, Headers][] {
  return [['Viewer', c.viewer], ['org Admin', c.orgAdmin], ['API key (Admin)', c.apiKey], ['service-account token (Admin)', c.saToken]];
}

/**
 * A route only a server admin may call: every other caller gets Grafana's RBAC
 * denial naming `action`, and a request without credentials gets 401.
 */
export async function assertServerAdminOnly(s: Running, c: Callers, method: string, path: string, action: string, body?: unknown) {
  for (const [who, headers] of nonServerAdmins(c)) {
    const r = await s.req(method, path, { headers, body });
    try {
      assertDenied(r, action);
    } catch (err) {
      throw new Error(`${method} ${path} as ${who}: ${(err as Error).message}`);
    }
  }
  const anon = await s.req(method, path, { body });
  assert.equal(anon.status, 401, `${method} ${path} without credentials: ${anon.text}`);
  assert.deepEqual(anon.json, errutil('Unauthorized', 'auth.unauthorized', 401));
}

/** Grafana's user-agent strings for the session lists (uap-go parses them as Chrome 120 on Windows 10, Firefox 121 on Linux). */
export const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
export const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

/** POST /login with a chosen User-Agent; returns the Cookie header of the new browser session. */
export async function loginAs(s: Running, user: string, password: string, ua = CHROME_UA): Promise<string> {
  const r = await s.req('POST', '/login', { headers: { 'user-agent': ua }, body: { user, password } });
  assert.equal(r.status, 200, r.text);
  return r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** POST /access/login (the Moonraker face); returns the access JWT. */
export async function moonrakerLogin(s: Running, username: string, password: string, ua = FIREFOX_UA): Promise<string> {
  const r = await s.req('POST', '/access/login', { headers: { 'user-agent': ua }, body: { username, password } });
  assert.equal(r.status, 200, r.text);
  return r.json.result.token;
}

/** GET /access/user with a Moonraker JWT: 200 while the login lives. */
export const moonrakerWhoami = (s: Running, jwt: string) => s.req('GET', '/access/user', { headers: { authorization: `Bearer ${jwt}` } });

export const cookie = (c: string) => ({ cookie: c });

export { ADMIN_PASSWORD };

/** Repeats `fn` until it is true or `ms` pass (for changes made by another process, e.g. the CLI). */
export async function eventually(fn: () => Promise<boolean>, what: string, ms = 4000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not within ${ms} ms: ${what}`);
}
