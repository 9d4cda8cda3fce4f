// Moonraker's HTTP face: each endpoint of the table at its path, arguments from
// the query string and a JSON body merged (body wins), `{"result": ...}` on
// success and `{"error": {"code", "message"}}` with that status on failure.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { Errors, GatehouseError, isGatehouseError } from '../../core/errors.js';
import { authenticate, type AuthRequest } from '../../auth/pipeline.js';
import { moonrakerPipeline } from '../../auth/moonraker.js';
import { parseArgs } from '../shared/args.js';
import { toGatehouseError } from '../shared/http-errors.js';
import { endpoints } from './endpoints/index.js';
import type { Endpoint } from './endpoint.js';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, MoonrakerCors } from './cors.js';

const EXCLUDED_ARGS = new Set(['_', 'token', 'access_token', 'connection_id']);
const JSON_TYPE = 'application/json; charset=UTF-8';

export function authRequestOf(req: FastifyRequest, authRequired: boolean): AuthRequest {
  return { method: req.method, headers: req.headers, query: (req.query ?? {}) as Record<string, unknown>, ip: req.ip, authRequired };
}

/** Query arguments (last value wins, Moonraker's exclusions dropped), then the JSON body over them. */
function collectArgs(req: FastifyRequest): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (!EXCLUDED_ARGS.has(k)) args[k] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  const body = req.body;
  if (body !== undefined && body !== null && req.headers['content-type']?.startsWith('application/json')) {
    if (typeof body !== 'object' || Array.isArray(body)) throw Errors.bodyNotObject();
    Object.assign(args, body);
  }
  return args;
}

export function moonrakerErrorBody(err: GatehouseError) {
  return { error: { code: err.status, message: err.message } };
}

export async function moonrakerHttp(app: FastifyInstance, opts: { core: Core; corsDomains: string[] }) {
  const { core } = opts;
  const cors = new MoonrakerCors(opts.corsDomains, core);

  app.setErrorHandler((error, req, reply) => {
    const err = toGatehouseError(error, req.log);
    // RFC 9110 §11.6.1: a 401 names the scheme (Moonraker itself sends none; its clients ignore it).
    if (err.status === 401) reply.header('WWW-Authenticate', err.code === 'JWT_INVALID' ? 'Bearer realm="gatehouse", error="invalid_token"' : 'Bearer realm="gatehouse"');
    return reply.code(err.status).type(JSON_TYPE).send(moonrakerErrorBody(err));
  });

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && (await cors.allows(origin))) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        reply.header('Access-Control-Allow-Methods', CORS_ALLOW_METHODS);
        reply.header('Access-Control-Allow-Headers', CORS_ALLOW_HEADERS);
        if (req.headers['access-control-request-private-network'] === 'true') reply.header('Access-Control-Allow-Private-Network', 'true');
        return reply.code(204).send();
      }
    }
  });

  const byPath = new Map<string, Endpoint[]>();
  for (const ep of endpoints) byPath.set(ep.http.path, [...(byPath.get(ep.http.path) ?? []), ep]);

  for (const [path, eps] of byPath) {
    for (const ep of eps) {
      app.route({
        method: ep.http.method,
        url: path,
        handler: async (req: FastifyRequest, reply: FastifyReply) => {
          const identity = await authenticate(moonrakerPipeline, authRequestOf(req, ep.authRequired), core);
          const args = parseArgs(ep.args, collectArgs(req));
          const result = await ep.handle({ core, identity, ip: req.ip, transport: 'http' }, args);
          return reply.type(JSON_TYPE).send(JSON.stringify({ result }));
        },
      });
    }
    const allowed = new Set<string>(eps.map((e) => e.http.method));
    const others = (['GET', 'POST', 'DELETE', 'PUT', 'PATCH'] as const).filter((m) => !allowed.has(m));
    app.route({ method: [...others, 'OPTIONS'], url: path, handler: async () => { throw Errors.methodNotAllowed(); } });
  }
}

export { isGatehouseError };
