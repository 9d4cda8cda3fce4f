// The gateway's one canonical form of a request target, and which canonical
// paths stay gatehouse's. Every decision (route, authentication, forward or
// not) and the forwarded request itself use the canonical target, so the
// upstream never sees a path the check did not see.
//
// Canonical form of the path (the query is kept as sent):
//   - origin-form only: absolute-form (`GET http://host/x`), authority- and
//     asterisk-form are refused;
//   - percent-escapes of unreserved characters decoded (`%2e` → `.`, `%41` → `A`),
//     the others upper-cased (`%2f` → `%2F`); a malformed escape is refused;
//   - dot segments resolved (RFC 3986 §5.2.4: `/a/../b` → `/b`, never above `/`);
//   - runs of `/` collapsed (`//server/info` → `/server/info`);
//   - characters outside RFC 3986's pchar percent-encoded (so URL parsers,
//     undici's included, leave it as it is).
// Refused (400), because servers disagree on what they mean: a raw backslash
// (a separator to WHATWG URL parsers, a plain character to Tornado), a fragment,
// an encoded NUL, an encoded `/` or `\` that would make a dot segment or
// change which side serves the path once decoded (`..%2F`, `/access%2Fapi_key`),
// and a segment that starts or ends with `..` (which @fastify/reply-from refuses).
import { GatewayError } from './errors.js';

export type Target = { path: string; query: string };

const badTarget = (why: string) => new GatewayError('BAD_PATH', { why });

/** Already canonical when it has only pchar and `/`, no `//`, no `..` and no dot segment: the common case. */
const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

/** Query parameters that carry a credential gatehouse consumes; never forwarded. */
const CONSUMED_PARAMS = new Set(['token', 'access_token']);

/**
 * Which canonical paths gatehouse answers itself (all others are forwarded):
 * `/access` and below, `/websocket`, `/auth/verify`, and the prefix of its own
 * pages. The websocket gateway and the HTTP one share this one decision.
 */
export class GatewayPaths {
  constructor(readonly prefix = '/gatehouse/') {}

  /**
   * Whether gatehouse answers a canonical path itself. The first segment is
   * compared case-insensitively, so no spelling of `/access` ever reaches the
   * upstream (gatehouse answers one it has no route for with 404).
   */
  owns(path: string): boolean {
    const end = path.indexOf('/', 1);
    const first = (end < 0 ? path.slice(1) : path.slice(1, end)).toLowerCase();
    if (first === 'access' || first === 'websocket') return true;
    const lower = path.toLowerCase();
    if (lower === '/auth/verify' || lower.startsWith('/auth/verify/')) return true;
    const prefix = this.prefix.toLowerCase();
    return lower.startsWith(prefix) || lower === prefix.slice(0, -1);
  }

  /**
   * The canonical target of a raw request target (`req.url` as Node gives it:
   * bytes as latin1 characters), or a GatewayError (400) saying why there is none.
   */
  canonical(raw: string): Target | GatewayError {
    if (raw[0] !== '/') return badTarget('only origin-form request targets (/path?query) are accepted');
    if (raw.includes('#')) return badTarget('a fragment (#) is not sent to a server');
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q + 1);
    if (PLAIN.test(rawPath) && !rawPath.includes('//') && !rawPath.includes('..') && !DOT_SEGMENT.test(rawPath)) return { path: rawPath, query };
    if (rawPath.includes('\\')) return badTarget('a backslash is a separator to some servers and not to others');

    // Escapes: decode unreserved characters, upper-case the rest; encode what is not a pchar.
    let s = '';
    for (let i = 0; i < rawPath.length; i++) {
      const c = rawPath[i]!;
      if (c === '%') {
        const hex = rawPath.slice(i + 1, i + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return badTarget('malformed percent-escape');
        const ch = String.fromCharCode(parseInt(hex, 16));
        if (ch === '\0') return badTarget('an encoded NUL');
        s += UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
        i += 2;
      } else if (c === '/' || PCHAR.test(c)) {
        s += c;
      } else {
        const code = c.charCodeAt(0);
        if (code > 0xff) return badTarget('a character that is not a byte');
        if (code < 0x20 || code === 0x7f) return badTarget('a control character');
        s += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
    const path = removeDotSegments(s.replace(/\/{2,}/g, '/'));

    // Decoded once more (as an upstream might before routing), the path must keep its meaning.
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = path.replace(/%2F/g, '/').replace(/%5C/g, '\\');
    }
    // @fastify/reply-from refuses these too (lib/utils.js buildURL); refused here with a reason.
    if (decoded.includes('/..') || decoded.includes('../')) return badTarget('a segment that starts or ends with ".." once decoded');
    if (/%2F|%5C/.test(path)) {
      const slashes = decoded.replace(/\\/g, '/');
      if (DOT_SEGMENT.test(slashes) || slashes.includes('//')) return badTarget('an encoded / or \\ that makes a dot segment or an empty segment once decoded');
      if (this.owns(slashes) !== this.owns(path)) return badTarget('an encoded / or \\ that changes which server answers once decoded');
    }
    return { path, query };
  }
}

/** RFC 3986 §5.2.4 on a path that starts with `/`. */
function removeDotSegments(path: string): string {
  if (!DOT_SEGMENT.test(path)) return path;
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else if (seg === '.') {
      if (last) out.push('');
    } else {
      out.push(seg);
    }
  });
  return '/' + out.join('/');
}

/** The query without the parameters gatehouse consumed (`token`, `access_token`), matched by decoded name. */
export function forwardedQuery(query: string): string {
  if (!/token|%/i.test(query)) return query;
  return query.split('&').filter((part) => {
    const eq = part.indexOf('=');
    let name = eq < 0 ? part : part.slice(0, eq);
    try { name = decodeURIComponent(name.replace(/\+/g, ' ')); } catch { /* compared raw */ }
    return !CONSUMED_PARAMS.has(name);
  }).join('&');
}

/** Whether canonical() refused the target. */
export const isBadTarget = (t: Target | GatewayError): t is GatewayError => t instanceof GatewayError;
