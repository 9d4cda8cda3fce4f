// Shared by the security suite: accounts over the real API, and tokens minted
// by hand (with jose and the victim's own key file) to isolate each check the
// server makes on a JWT.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import type { Running } from '../helpers/server.js';

export const b64url = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

/** The victim's signing key, read from its data directory as an attacker with file access would. */
export function victimKey(dataDir: string): { privateKey: KeyObject; publicKey: KeyObject; publicPem: string; kid: string } {
  const privateKey = createPrivateKey(readFileSync(join(dataDir, 'jwt-ed25519.pem')));
  const publicKey = createPublicKey(privateKey);
  const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, kid };
}

/** Signs `claims` with `key` under `header` (EdDSA unless the header says otherwise). */
export async function mint(key: KeyObject | Uint8Array, claims: Record<string, unknown>, header: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', ...header } as any).sign(key as any);
}

/** An unsigned token: `alg: none`, empty signature. */
export const unsigned = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'none', typ: 'JWT' }) =>
  `${b64url(header)}.${b64url(claims)}.`;

export const claimsOf = (token: string) => decodeJwt(token) as Record<string, any>;
export const headerOf = (token: string) => decodeProtectedHeader(token) as Record<string, any>;

export interface Login { username: string; password: string; token: string; refresh: string }

/** Creates a user with the global API key and returns its first login. */
export async function createUser(s: Running, username: string, password: string): Promise<Login> {
  const r = await s.req('POST', '/access/user', { body: { username, password }, headers: { 'x-api-key': s.apiKey() } });
  if (r.status !== 200) throw new Error(`create ${username}: ${r.status} ${r.text}`);
  return { username, password, token: r.json.result.token, refresh: r.json.result.refresh_token };
}

export async function login(s: Running, username: string, password: string): Promise<Login> {
  const r = await s.req('POST', '/access/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return { username, password, token: r.json.result.token, refresh: r.json.result.refresh_token };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** GET /access/user with a token: the status tells whether the token is accepted. */
export async function whoami(s: Running, token: string) {
  return s.req('GET', '/access/user', { headers: bearer(token) });
}

/** Number of fast-check runs per property: small by default, GATEHOUSE_FUZZ_RUNS for a long run. */
export const fuzzRuns = (dflt: number) => {
  const n = Number(process.env.GATEHOUSE_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : dflt;
};

/** A request from another loopback address (e.g. 127.0.0.2), as a second client machine. */
export function reqFrom(s: Running, localAddress: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  return new Promise((ok, fail) => {
    const r = http.request({ host: '127.0.0.1', port: s.port, path, method, localAddress, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        ok({ status: res.statusCode!, json });
      });
    });
    r.on('error', fail);
    r.end();
  });
}

export interface FuzzResponse { status: number; contentType: string; text: string }

/**
 * Sends one fuzz case (no body on GET/HEAD, redirects not followed). Undefined
 * when fetch refused to build the request (a header value it will not send):
 * nothing reached the server.
 */
export async function fuzzSend(base: string, method: string, url: string, headers: Record<string, string>, body: string | undefined): Promise<FuzzResponse | undefined> {
  try {
    const r = await fetch(base + url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body, redirect: 'manual' });
    return { status: r.status, contentType: r.headers.get('content-type') ?? '', text: await r.text() };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TypeError' && (!/fetch failed/.test(e.message) || e.cause?.code === 'UND_ERR_INVALID_ARG')) return undefined;
    throw err;
  }
}
