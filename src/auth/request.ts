// What the credential steps look at: one request's headers, query, address and
// cookies (HTTP), or an identify call's params and its connection's identity
// (websocket). Credentials are parsed once per request, when a step first asks.
import { parseCookie } from 'cookie';
import type { Identity } from '../core/model.js';

export interface AuthRequestInit {
  /** Header names lower-cased, as Node gives them. */
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  ip: string;
  /** The HTTP method (GET when not HTTP: a websocket identify). */
  method?: string;
  /** False on routes that work without credentials (login, info, refresh, login ping). */
  authRequired: boolean;
  /** The request's cookies; by default the Cookie header's, parsed when a step first asks. */
  cookies?: Record<string, string | undefined>;
  /** server.connection.identify: its credential params, and what the connection is authenticated as now. */
  identify?: { accessToken?: string; apiKey?: string; current: Identity | null };
}

const INT64 = /^[+-]?\d{1,19}$/;

/** Go's strconv.ParseInt(s, 10, 64), or 0 when it does not parse. */
function parseOrgId(v: string | undefined): number {
  if (v === undefined || !INT64.test(v)) return 0;
  const n = BigInt(v);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return 0;
  return Number(n);
}

/** Standard base64 with its padding: whole groups of 4, at most two `=` and only at the end (one linear scan). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Go's Request.BasicAuth(): scheme case-insensitive, standard base64, split at the first colon. */
export function decodeBasic(auth: string): { username: string; password: string } | undefined {
  if (auth.length < 6 || auth.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const b64 = auth.slice(6);
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { username: text.slice(0, i), password: text.slice(i + 1) };
}

/** The Cookie header's cookies (`cookie`'s parseCookie: the parser @fastify/cookie wraps). */
export const parseCookies = (header: string | undefined): Record<string, string | undefined> => (header ? parseCookie(header) : {});

export class AuthRequest {
  readonly ip: string;
  readonly method: string;
  readonly authRequired: boolean;
  readonly identify: AuthRequestInit['identify'];
  private readonly headers: Record<string, string | string[] | undefined>;
  private readonly query: Record<string, unknown>;
  #basic: { username: string; password: string } | null | undefined;
  #org: number | undefined;
  #cookies: Record<string, string | undefined> | undefined;

  constructor(init: AuthRequestInit) {
    this.headers = init.headers ?? {};
    this.query = init.query ?? {};
    this.ip = init.ip;
    this.method = init.method ?? 'GET';
    this.authRequired = init.authRequired;
    this.#cookies = init.cookies;
    this.identify = init.identify;
  }

  /** A header's (last) value. */
  header(name: string): string | undefined {
    const v = this.headers[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  }

  /** A query parameter's (last) value when it is a string. */
  queryParam(name: string): string | undefined {
    const v = this.query[name];
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    return typeof last === 'string' ? last : undefined;
  }

  /** The cookies, parsed when a step first asks (most requests carry another credential). */
  get cookies(): Record<string, string | undefined> {
    return (this.#cookies ??= parseCookies(this.header('cookie')));
  }

  /** The Authorization header's Basic credentials, decoded once. */
  get basic(): { username: string; password: string } | undefined {
    if (this.#basic === undefined) this.#basic = decodeBasic(this.header('authorization') ?? '') ?? null;
    return this.#basic ?? undefined;
  }

  /** Grafana's orgIDFromRequest: `?targetOrgId=` when > 0, else X-Grafana-Org-Id, else 0 (the default org). */
  get requestedOrg(): number {
    if (this.#org === undefined) {
      const q = parseOrgId(this.queryParam('targetOrgId'));
      this.#org = q > 0 ? q : parseOrgId(this.header('x-grafana-org-id'));
    }
    return this.#org;
  }
}
