// Shared by the issue-17 finding tests (test/security/findings/NN-*.test.ts):
// a raw HTTP client that picks its source address and never reuses a
// connection (each request is its own TCP connection, as a burst of separate
// clients), the audit trail read the way an operator reads it (the
// `gatehouse audit --json` command against the server's data directory), and
// small waiting helpers that always give up.
import http from 'node:http';
import type { Running } from '../../helpers/server.js';
import { audit as auditCommand } from '../../../src/cli/commands/audit.js';

export interface Reply { status: number; headers: http.IncomingHttpHeaders; text: string; json: any }

export interface RawRequest {
  method: string;
  path: string;
  /** Source address (127.0.0.2 … plays another host); default the kernel's choice (127.0.0.1). */
  localAddress?: string;
  headers?: Record<string, string>;
  /** A JSON body (content-type application/json unless headers say otherwise). */
  json?: unknown;
  /** A raw body, sent as is. */
  raw?: string;
  /** Give up (reject) after this long; default 15 s. */
  timeoutMs?: number;
  /** Called once the whole request has been handed to the kernel. */
  onSent?: () => void;
}

/** One request on its own connection (agent: false, Connection: close). */
export function send(port: number, o: RawRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'close', ...(o.headers ?? {}) };
    let body: string | undefined = o.raw;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = http.request({ host: '127.0.0.1', port, localAddress: o.localAddress, method: o.method, path: o.path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
      res.on('error', (err) => { clearTimeout(timer); reject(err); });
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`${o.method} ${o.path}: no answer within ${o.timeoutMs ?? 15_000} ms`));
    }, o.timeoutMs ?? 15_000);
    req.on('error', (err) => { clearTimeout(timer); reject(err); });
    if (o.onSent) req.once('finish', o.onSent);
    req.end(body);
  });
}

export const basicAuth = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });

export interface AuditLine { at: string; event: string; username: string | null; ip: string | null; detail: Record<string, unknown> | null }

/**
 * The audit trail as `gatehouse audit --json [--event E] [--user U]` prints it,
 * read from the running server's data directory (a second connection to its store).
 */
export async function auditTrail(s: Running, o: { event?: string; user?: string } = {}): Promise<AuditLine[]> {
  const out: string[] = [];
  const args = ['--json', '--limit', '1000000', '--data-dir', s.dataDir];
  if (o.event) args.push('--event', o.event);
  if (o.user) args.push('--user', o.user);
  await auditCommand.run(args, { out: (l) => out.push(l), err: () => {} });
  return out.map((l) => JSON.parse(l) as AuditLine);
}

/**
 * Password checks that ran and failed, as the trail records them: `login_failed`
 * events, less any that record a refusal made before a password was looked at
 * (a fix may audit those too, with a reason naming the lock or the limit).
 */
export async function passwordChecksFailed(s: Running, usernames: string[]): Promise<AuditLine[]> {
  const names = new Set(usernames.map((u) => u.toLowerCase()));
  return (await auditTrail(s, { event: 'login_failed' })).filter((e) =>
    e.username !== null && names.has(e.username.toLowerCase()) && !/lock|limit|too.?many|busy|queue|rate/i.test(String(e.detail?.reason ?? '')));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `p`, or `fallback` once `ms` have passed (the timer is cleared either way). */
export async function within<T, F = undefined>(p: Promise<T>, ms: number, fallback?: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<F>((r) => { timer = setTimeout(() => r(fallback as F), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function eventually(probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= end) return false;
    await sleep(everyMs);
  }
}

/** A status that refuses an attempt with the right password: 401 (Grafana's face), 403, 429 (a lock) or 503 (busy). */
export const refused = (status: number) => status === 401 || status === 403 || status === 429 || status === 503;
