// Small helpers for the Moonraker /access suites: the exact envelopes, accounts
// over the real API, and a client that can pick its own source address.
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Running } from '../helpers/server.js';

export type Reply = Awaited<ReturnType<Running['req']>>;

/** `{"error": {"code": status, "message": message}}` with that HTTP status, and nothing else in the body. */
export function assertError(r: Reply, status: number, message: string | RegExp) {
  assert.equal(r.status, status, `status of ${r.text}`);
  assert.ok(r.json && typeof r.json === 'object', `JSON body: ${r.text}`);
  assert.deepEqual(Object.keys(r.json), ['error'], r.text);
  assert.deepEqual(Object.keys(r.json.error), ['code', 'message'], r.text);
  assert.equal(r.json.error.code, status, r.text);
  if (typeof message === 'string') assert.equal(r.json.error.message, message);
  else assert.match(r.json.error.message, message);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
}

/** `{"result": ...}` with status 200; returns the result. */
export function resultOf(r: Reply): any {
  assert.equal(r.status, 200, `status of ${r.text}`);
  assert.deepEqual(Object.keys(r.json), ['result'], r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  return r.json.result;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const apiKey = (s: Running) => ({ 'x-api-key': s.apiKey() });

export interface Login { username: string; password: string; token: string; refresh: string }

/** Creates a user with the API key; returns its first login. */
export async function createUser(s: Running, username: string, password: string): Promise<Login> {
  const r = resultOf(await s.req('POST', '/access/user', { body: { username, password }, headers: apiKey(s) }));
  return { username, password, token: r.token, refresh: r.refresh_token };
}

export async function login(s: Running, username: string, password: string): Promise<Login> {
  const r = resultOf(await s.req('POST', '/access/login', { body: { username, password } }));
  return { username, password, token: r.token, refresh: r.refresh_token };
}

export const whoami = (s: Running, headers: Record<string, string> = {}, query = '') =>
  s.req('GET', `/access/user${query}`, { headers });

/** A request from a chosen loopback source address (127.0.0.2, ...), to play another client; a `body` is sent as JSON. */
export function reqFrom(s: Running, localAddress: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers = { 'content-type': 'application/json', ...headers };
    const req = http.request({ host: '127.0.0.1', port: s.port, localAddress, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode!, headers: h, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The server's own signing key and kid, read from its data directory, to mint tokens the server would accept but for one claim. */
export function serverKey(dataDir: string): { privateKey: KeyObject; kid: string } {
  const privateKey = createPrivateKey(readFileSync(join(dataDir, 'jwt-ed25519.pem')));
  const kid = createHash('sha256').update(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
  return { privateKey, kid };
}

export function mint(key: { privateKey: KeyObject; kid: string }, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
}

export const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
export const headerOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString());
