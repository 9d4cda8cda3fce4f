// Shared by the Grafana face's tests: a real gatehouse with the Grafana face on,
// credentials as headers, and accounts made through the Moonraker face (the
// same accounts: one identity, two faces).
import assert from 'node:assert/strict';
import { startGatehouse, type Overrides, type Running } from '../helpers/server.js';

export const ADMIN_PASSWORD = 'admin-pw-for-tests';

export type G = Running;

/** The shipped defaults (the Grafana face is on), with a known admin password instead of a generated one. */
export async function startGrafana(over: Overrides = {}, dataDir?: string): Promise<Running> {
  return startGatehouse({ ...over, security: { admin_password: ADMIN_PASSWORD, ...over.security } }, dataDir);
}

export const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
export const apiKeyBasic = (key: string) => basic('api_key', key);
export const admin = () => basic('admin', ADMIN_PASSWORD);

/** Creates a local account through Moonraker's POST /access/user; returns its Grafana user id. */
export async function mkUser(s: Running, username: string, password = `pw-${username}`): Promise<number> {
  const r = await s.req('POST', '/access/user', { headers: { 'x-api-key': s.apiKey() }, body: { username, password } });
  assert.equal(r.status, 200, r.text);
  const me = await s.req('GET', '/api/user', { headers: basic(username, password) });
  assert.equal(me.status, 200, me.text);
  return me.json.id;
}

/** Adds an account to an org with a role, as the admin. */
export async function addToOrg(s: Running, orgId: number, login: string, role: string) {
  const r = await s.req('POST', '/api/org/users', { headers: { ...admin(), 'x-grafana-org-id': String(orgId) }, body: { loginOrEmail: login, role } });
  assert.equal(r.status, 200, r.text);
}

export async function setRole(s: Running, orgId: number, userId: number, role: string) {
  const r = await s.req('PATCH', `/api/org/users/${userId}`, { headers: { ...admin(), 'x-grafana-org-id': String(orgId) }, body: { role } });
  assert.equal(r.status, 200, r.text);
}

export async function mkOrg(s: Running, name: string): Promise<number> {
  const r = await s.req('POST', '/api/orgs', { headers: admin(), body: { name } });
  assert.equal(r.status, 200, r.text);
  return r.json.orgId;
}

/** An API key of org `orgId` (default 1) made by the admin. */
export async function mkKey(s: Running, name: string, role = 'Admin', o: { orgId?: number; secondsToLive?: number } = {}): Promise<{ id: number; key: string }> {
  const r = await s.req('POST', '/api/auth/keys', {
    headers: { ...admin(), ...(o.orgId ? { 'x-grafana-org-id': String(o.orgId) } : {}) },
    body: { name, role, ...(o.secondsToLive !== undefined ? { secondsToLive: o.secondsToLive } : {}) },
  });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** Logs in through POST /login; returns the Cookie header value for the session. */
export async function login(s: Running, user: string, password: string): Promise<string> {
  const r = await s.req('POST', '/login', { body: { user, password } });
  assert.equal(r.status, 200, r.text);
  return cookieHeader(r.headers);
}

export function cookieHeader(h: Headers): string {
  return h.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

export function setCookies(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of h.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    out[pair!.slice(0, i)] = c;
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Grafana's errutil body. */
export const errutil = (message: string, messageId: string, statusCode: number) => ({ message, messageId, statusCode, traceID: '' });

/** Grafana 10's access-control denial (accessErrorId varies). */
export function assertDenied(r: { status: number; json: any; text: string }, action: string) {
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.title, 'Access denied');
  assert.equal(r.json.message, `You'll need additional permissions to perform this action. Permissions needed: ${action}`);
  assert.match(r.json.accessErrorId, /^ACE\d{10}$/);
}
