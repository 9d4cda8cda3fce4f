// The session cookies, written as Grafana writes them: `grafana_session`
// (HttpOnly) and `grafana_session_expiry` (read by the frontend to rotate).
import type { FastifyReply } from 'fastify';
import type { GrafanaCore } from '../../core/grafana/grafana-core.js';
import type { WebSession } from '../../store/types.js';

export const EXPIRY_COOKIE = 'grafana_session_expiry';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch { /* keep as is */ }
    if (name && !(name in out)) out[name] = value;
  }
  return out;
}

function cookie(g: GrafanaCore, name: string, value: string, maxAge: number, httpOnly: boolean): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', `Max-Age=${maxAge}`];
  if (httpOnly) parts.push('HttpOnly');
  const sameSite = g.opts.cookieSameSite;
  if (g.opts.cookieSecure || sameSite === 'none') parts.push('Secure');
  if (sameSite !== 'disabled') parts.push(`SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`);
  return parts.join('; ');
}

function append(reply: FastifyReply, values: string[]) {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, ...values]);
}

export function writeSessionCookies(reply: FastifyReply, g: GrafanaCore, token: string, session: WebSession) {
  const maxAge = g.opts.loginMaximumLifetimeSeconds;
  append(reply, [
    cookie(g, g.opts.loginCookieName, token, maxAge, true),
    cookie(g, EXPIRY_COOKIE, String(g.sessions.nextRotation(session)), maxAge, false),
  ]);
}

export function clearSessionCookies(reply: FastifyReply, g: GrafanaCore) {
  append(reply, [cookie(g, g.opts.loginCookieName, '', 0, true), cookie(g, EXPIRY_COOKIE, '', 0, false)]);
}
