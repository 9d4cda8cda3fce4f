// The session cookies, written as Grafana writes them (Go's net/http order of
// attributes: Path, Max-Age, HttpOnly, Secure, SameSite): `grafana_session`
// (HttpOnly) and `grafana_session_expiry` (read by the frontend to rotate).
// Request cookies are parsed when a credential step asks (auth/request.ts: `cookie`'s parser).
import type { FastifyReply } from 'fastify';
import type { Core } from '../../core/core.js';
import type { WebSession } from '../../core/model.js';

export const EXPIRY_COOKIE = 'grafana_session_expiry';

function cookie(core: Core, name: string, value: string, maxAge: number, httpOnly: boolean): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', `Max-Age=${maxAge}`];
  if (httpOnly) parts.push('HttpOnly');
  const { cookie_samesite: sameSite, cookie_secure: secure } = core.config.security;
  if (secure || sameSite === 'none') parts.push('Secure');
  if (sameSite !== 'disabled') parts.push(`SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`);
  return parts.join('; ');
}

function append(reply: FastifyReply, values: string[]) {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, ...values]);
}

export function writeSessionCookies(reply: FastifyReply, core: Core, token: string, session: WebSession) {
  const maxAge = core.config.auth.login_maximum_lifetime_duration;
  append(reply, [
    cookie(core, core.config.auth.login_cookie_name, token, maxAge, true),
    cookie(core, EXPIRY_COOKIE, String(core.webSessions.nextRotation(session)), maxAge, false),
  ]);
}

export function clearSessionCookies(reply: FastifyReply, core: Core) {
  append(reply, [cookie(core, core.config.auth.login_cookie_name, '', 0, true), cookie(core, EXPIRY_COOKIE, '', 0, false)]);
}
