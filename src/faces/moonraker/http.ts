// Moonraker's HTTP face: each endpoint of the table at its path, arguments from
// the query string and a JSON body merged (body wins), `{"result": ...}` on
// success and `{"error": {"code", "message"}}` with that status on failure.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { fail } from '../../core/errors.js';
import { authenticate } from '../../auth/run.js';
import { POLICIES } from '../../auth/policies.js';
import { AuthRequest } from '../../auth/request.js';
import { checkNeeded, scopeFor } from '../../auth/scopes.js';
import { parseArgs } from '../shared/args.js';
import { HttpError, logFailedRequest } from '../shared/http-errors.js';
import { endpoints } from './endpoints/index.js';
import type { Endpoint } from './endpoint.js';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, MoonrakerCors } from './cors.js';
import { MOONRAKER_JSON, moonrakerBody, moonrakerFailure } from './errors.js';

const EXCLUDED_ARGS = new Set(['_', 'token', 'access_token', 'connection_id']);

export const authRequestOf = (req: FastifyRequest, authRequired: boolean) =>
  new AuthRequest({ headers: req.headers, query: (req.query ?? {}) as Record<string, unknown>, ip: req.ip, authRequired });

/** One query-string component, decoded strictly: bad percent-encoding or UTF-8 is a 400, as Tornado's get_argument refuses it. */
function decodeQueryPart(text: string, key: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw fail('INVALID_ARGUMENT', { key, why: 'is not valid percent-encoded UTF-8' });
  }
}

/**
 * Query arguments (last value wins, Moonraker's exclusions dropped), then the JSON body over them.
 * The query is decoded here rather than taken from Fastify, whose parser keeps an undecodable value
 * as its raw `%XX` text (so `?username=a%ED%A0%80` would name an account "a%ED%A0%80").
 * The media type is matched case-insensitively (RFC 9110), and the arguments live in a
 * null-prototype object so a `"__proto__"` key is just an unknown argument, never inherited ones.
 */
function collectArgs(req: FastifyRequest): Record<string, unknown> {
  const args: Record<string, unknown> = Object.create(null);
  const q = req.url.indexOf('?');
  if (q >= 0) {
    for (const part of req.url.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const rawKey = eq < 0 ? part : part.slice(0, eq);
      const k = decodeQueryPart(rawKey, rawKey.slice(0, 64));
      if (!EXCLUDED_ARGS.has(k)) args[k] = decodeQueryPart(eq < 0 ? '' : part.slice(eq + 1), k.slice(0, 64));
    }
  }
  const body = req.body;
  if (body !== undefined && req.headers['content-type']?.toLowerCase().startsWith('application/json')) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError('BODY_NOT_OBJECT');
    for (const [k, v] of Object.entries(body)) args[k] = v;
  }
  return args;
}

/** The face's error handler: its envelope, and (RFC 9110 §11.6.1) a 401 names the scheme (Moonraker itself sends none; its clients ignore it). */
export function moonrakerErrorHandler(error: unknown, req: FastifyRequest, reply: FastifyReply) {
  const f = moonrakerFailure(error, req.log);
  logFailedRequest(req, f.status);
  if (f.status === 401) reply.header('WWW-Authenticate', f.code === 'JWT_INVALID' ? 'Bearer realm="gatehouse", error="invalid_token"' : 'Bearer realm="gatehouse"');
  return reply.code(f.status).type(MOONRAKER_JSON).send(moonrakerBody(f));
}

/** An endpoint that takes no arguments answers a request that passes none without running its schema. */
const takesNone = (ep: Endpoint) => Object.keys((ep.args as unknown as { shape?: object }).shape ?? { x: 1 }).length === 0;

function argsOf(ep: Endpoint, none: boolean, req: FastifyRequest) {
  const raw = collectArgs(req);
  for (const _ in raw) return parseArgs(ep.args, raw);
  return none ? {} : parseArgs(ep.args, raw);
}

function route(app: FastifyInstance, core: Core, ep: Endpoint) {
  const none = takesNone(ep);
  const needed = scopeFor({ http: ep.http });
  const what = `${ep.http.method} ${ep.http.path}`;
  app.route({
    method: ep.http.method,
    url: ep.http.path,
    async handler(req, reply) {
      const identity = await authenticate(POLICIES.moonrakerHttp, authRequestOf(req, ep.authRequired), core);
      checkNeeded(core, identity, needed, what, req.ip);
      const result = await ep.handle({ core, identity, ip: req.ip, transport: 'http' }, argsOf(ep, none, req));
      return reply.type(MOONRAKER_JSON).send(JSON.stringify({ result }));
    },
  });
}

export async function moonrakerHttp(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  const cors = new MoonrakerCors(core);
  app.setErrorHandler(moonrakerErrorHandler);

  // Without cors_domains no origin is allowed (the default): no hook on every request then.
  if (cors.enabled) app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !(await cors.allows(origin))) return;
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Vary', 'Origin');
    if (req.method !== 'OPTIONS') return;
    reply.header('Access-Control-Allow-Methods', CORS_ALLOW_METHODS);
    reply.header('Access-Control-Allow-Headers', CORS_ALLOW_HEADERS);
    if (req.headers['access-control-request-private-network'] === 'true') reply.header('Access-Control-Allow-Private-Network', 'true');
    return reply.code(204).send();
  });

  const byPath = new Map<string, Endpoint[]>();
  for (const ep of endpoints) byPath.set(ep.http.path, [...(byPath.get(ep.http.path) ?? []), ep]);
  for (const [path, eps] of byPath) {
    for (const ep of eps) route(app, core, ep);
    const allowed = new Set<string>(eps.map((e) => e.http.method));
    const others = (['GET', 'POST', 'DELETE', 'PUT', 'PATCH'] as const).filter((m) => !allowed.has(m));
    // RFC 9110 §15.5.6: a 405 lists the methods the resource does support (Moonraker's Tornado sends none).
    const allow = [...allowed, ...(allowed.has('GET') ? ['HEAD'] : [])].join(', ');
    app.route({ method: [...others, 'OPTIONS'], url: path, handler: async (_req, reply) => { reply.header('Allow', allow); throw new HttpError('METHOD_NOT_ALLOWED'); } });
  }
}
