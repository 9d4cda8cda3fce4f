// Grafana's HTTP face: the /api routes of endpoints/, POST /login and GET /logout,
// and the small web UI (src/web). Requests are authenticated as Grafana does
// (src/auth/grafana.ts), then checked against the route's access rule, then
// their body is bound — Grafana's order — and failures are written in
// Grafana's body shapes (see core/grafana/errors.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { GatehouseError } from '../../core/errors.js';
import { GrafanaErrors as G, grafanaShapeOf } from '../../core/grafana/errors.js';
import { GrafanaCore, type GrafanaIdentity } from '../../core/grafana/grafana-core.js';
import type { GrafanaOptions } from '../../core/grafana/options.js';
import { authenticateGrafana } from '../../auth/grafana.js';
import type { AuthRequest } from '../../auth/pipeline.js';
import { logFailedRequest, toGatehouseError } from '../shared/http-errors.js';
import { then, type MaybePromise } from '../../core/maybe-promise.js';
import { registerWebPages } from '../../web/pages.js';
import { clearSessionCookies, parseCookies, writeSessionCookies } from './cookies.js';
import { routes } from './endpoints/index.js';
import { checkAccess, type GrafanaRoute } from './route.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** A JSON body that did not parse; binding it fails (after authentication, as in Grafana). */
const UNPARSABLE = Symbol('unparsable body');

export interface GrafanaHttpOptions {
  core: Core;
  grafana: Partial<GrafanaOptions>;
  /** An already started GrafanaCore (the composition root's); otherwise the plugin starts and stops its own. */
  grafanaCore?: GrafanaCore;
}

declare module 'fastify' {
  interface FastifyContextConfig { grafanaBindError?: () => GatehouseError }
}

/** `{message}`, errutil's `{message, messageId, statusCode, traceID}` or the RBAC denial, as Grafana writes them. */
export function grafanaErrorBody(err: GatehouseError): Record<string, unknown> {
  const shape = grafanaShapeOf(err);
  if (shape?.shape === 'errutil') return { message: err.message, messageId: shape.messageId, statusCode: err.status, traceID: '' };
  if (shape?.shape === 'rbac') {
    const id = String(Math.floor(Math.random() * 1e10)).padStart(10, '0');
    return { accessErrorId: `ACE${id}`, message: err.message, title: 'Access denied' };
  }
  return { message: err.message, ...(shape?.shape === 'legacy' ? shape.extra : {}) };
}

/** POST /login {"user","password"}: opens a browser session (also served under the gateway's prefix: src/web/pages.ts). */
export function loginHandler(g: GrafanaCore) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const b = req.body as { user?: unknown; password?: unknown } | undefined;
    if (!b || typeof b !== 'object' || typeof b.user !== 'string' || typeof b.password !== 'string' || !b.user || !b.password) {
      throw G.badLoginData();
    }
    const { token, session } = await g.login({ user: b.user, password: b.password, ip: req.ip });
    writeSessionCookies(reply, g, token, session);
    return reply.type(JSON_TYPE).send(JSON.stringify({ message: 'Logged in', redirectUrl: '/' }));
  };
}

export function authRequest(req: FastifyRequest, authRequired: boolean): AuthRequest {
  return {
    method: req.method, headers: req.headers, query: (req.query ?? {}) as Record<string, unknown>, ip: req.ip,
    authRequired, cookies: parseCookies(req.headers.cookie), basic: undefined,
  };
}

/**
 * Authenticates a request of this face. A session due for rotation gets its new
 * token in this response's cookies; a session cookie that failed is cleared.
 * Synchronous while the credential check is (see authenticateGrafana).
 */
export function identify(g: GrafanaCore, req: FastifyRequest, reply: FastifyReply, o: { required: boolean }): MaybePromise<GrafanaIdentity | null> {
  const ar = authRequest(req, o.required);
  let identity: MaybePromise<GrafanaIdentity | null>;
  try {
    identity = authenticateGrafana(ar, g);
  } catch (err) {
    return refused(g, ar, reply, err);
  }
  if (identity instanceof Promise) return identity.then((id) => withSession(g, req, reply, id), (err) => refused(g, ar, reply, err));
  return withSession(g, req, reply, identity);
}

/** A credential that failed: its session cookie is cleared; on an optional-auth route a 401 is no identity. */
function refused(g: GrafanaCore, ar: AuthRequest, reply: FastifyReply, err: unknown): null {
  if (ar.cookies?.[g.opts.loginCookieName]) clearSessionCookies(reply, g);
  if (!ar.authRequired && (err as Error).name === 'GatehouseError' && (err as GatehouseError).status === 401) return null;
  throw err;
}

/** A browser session: the CSRF check, and its rotation when due. */
function withSession(g: GrafanaCore, req: FastifyRequest, reply: FastifyReply, identity: GrafanaIdentity | null): MaybePromise<GrafanaIdentity | null> {
  const ws = identity?.webSession;
  if (!ws) return identity;
  checkOrigin(req);
  if (!g.sessions.needsRotation(ws)) return identity;
  return g.sessions.rotate(ws).then((token) => {
    writeSessionCookies(reply, g, token, ws);
    return identity;
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Grafana's CSRF check (pkg/middleware/csrf): a cookie-authenticated request
 * that changes something must come from this site: an Origin header naming
 * another host is refused.
 */
function checkOrigin(req: FastifyRequest) {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.origin;
  if (!origin) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw G.legacy(403, 'origin not allowed');
  }
  if (host !== req.headers.host) throw G.legacy(403, 'origin not allowed');
}

function bind(route: GrafanaRoute, raw: unknown): unknown {
  if (!route.body) return undefined;
  const fail = route.bindError ?? G.badRequestData;
  if (raw === undefined && route.bodyOptional) return undefined;
  if (raw === UNPARSABLE || raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail();
  const r = route.body.safeParse(raw);
  if (!r.success) throw fail();
  return r.data;
}

function queryOf(req: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    // Go's c.Query returns the first value.
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

export async function grafanaHttp(app: FastifyInstance, opts: GrafanaHttpOptions) {
  const g = opts.grafanaCore ?? new GrafanaCore(opts.core, opts.grafana);
  if (!opts.grafanaCore) {
    await g.start();
    app.addHook('onClose', async () => g.stop());
  }

  app.setErrorHandler((error, req, reply) => {
    let err: GatehouseError;
    const e = error as { code?: string };
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      err = (req.routeOptions.config.grafanaBindError ?? G.badRequestData)();
    } else {
      err = toGatehouseError(error, req.log);
    }
    if (err.status >= 500) req.log.error({ err: error }, 'grafana request failed');
    logFailedRequest(req, err.status);
    return reply.code(err.status).type(JSON_TYPE).send(JSON.stringify(grafanaErrorBody(err)));
  });

  // Grafana binds a body after authentication: a body that is not JSON is
  // carried to the handler and refused there, not before the credentials are looked at.
  // Like Grafana's web.Bind, a JSON body sent as text/plain is read as JSON all the same.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, UNPARSABLE);
    }
  });

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { grafanaBindError: route.bindError },
      // Synchronous from end to end for a known credential and a handler with nothing to wait for.
      handler: (req, reply) => then(identify(g, req, reply, { required: route.auth !== 'optional' }), (identity) => {
        if (identity) checkAccess(route.access, identity, g);
        const body = bind(route, req.body);
        const result = route.handle({
          g, core: opts.core, identity: identity!, body, params: req.params as Record<string, string>,
          query: queryOf(req), ip: req.ip, req, reply,
        });
        return then(result, (r) => { reply.type(JSON_TYPE).send(JSON.stringify(r)); });
      }),
    });
  }

  // POST /login {"user","password"}: opens a browser session (not under /api; no credentials needed).
  app.post('/login', loginHandler(g));

  // GET /logout: ends this session (whatever its state), clears the cookies, back to the login page.
  app.get('/logout', async (req, reply) => {
    const token = parseCookies(req.headers.cookie)[g.opts.loginCookieName];
    const session = token ? await g.sessions.lookup(token) : undefined;
    const user = session && opts.core.users.getById(session.userId);
    await g.logout(session, user?.username, req.ip);
    clearSessionCookies(reply, g);
    return reply.redirect(g.opts.signoutRedirectUrl || '/login', 302);
  });

  registerWebPages(app, g, { identify: (req, reply) => identify(g, req, reply, { required: false }) });
}
