// Grafana's HTTP face: the /api routes of endpoints/, POST /login and GET /logout,
// and the small web UI (src/web). Requests are authenticated as Grafana does
// (src/auth/policies.ts, "grafana"), then checked against the route's access
// rule, then their body is bound — Grafana's order — and every failure is
// written in Grafana's body shapes (errors.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { CoreError } from '../../core/errors.js';
import type { Identity } from '../../core/model.js';
import { authenticate } from '../../auth/run.js';
import { POLICIES } from '../../auth/policies.js';
import { AuthRequest, parseCookies } from '../../auth/request.js';
import { logFailedRequest } from '../shared/http-errors.js';
import { requestLog } from '../shared/request-log.js';
import { registerWebPages } from '../../web/pages.js';
import { clearSessionCookies, writeSessionCookies } from './cookies.js';
import { routes } from './endpoints/index.js';
import { GRAFANA_JSON, GrafanaError, grafanaFailure, type GrafanaCode } from './errors.js';
import { checkAccess, type GrafanaRoute } from './route.js';

/** A JSON body that did not parse; binding it fails (after authentication, as in Grafana). */
const UNPARSABLE = Symbol('unparsable body');

declare module 'fastify' {
  interface FastifyContextConfig { grafanaBindError?: GrafanaCode }
}

export function grafanaErrorHandler(error: unknown, req: FastifyRequest, reply: FastifyReply) {
  const code = (error as { code?: string }).code;
  // A body Fastify could not take (wrong media type, empty JSON) fails the bind, as Grafana's web.Bind.
  const e = code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
    ? new GrafanaError(req.routeOptions.config?.grafanaBindError ?? 'BAD_REQUEST_DATA') : error;
  const f = grafanaFailure(e, requestLog(req));
  logFailedRequest(req, f.status);
  return reply.code(f.status).type(GRAFANA_JSON).send(JSON.stringify(f.body));
}

/**
 * Authenticates a request of this face. A browser session gets Grafana's CSRF
 * check, and its new token in this response's cookies when due for rotation; a
 * session cookie that failed is cleared; on an optional-auth route a 401 is no identity.
 */
export async function identify(core: Core, req: FastifyRequest, reply: FastifyReply, o: { required: boolean }): Promise<Identity | null> {
  const ar = new AuthRequest({ headers: req.headers, query: (req.query ?? {}) as Record<string, unknown>, ip: req.clientIp, authRequired: o.required });
  let identity: Identity | null;
  try {
    identity = await authenticate(POLICIES.grafana, ar, core);
  } catch (err) {
    if (ar.cookies[core.config.auth.login_cookie_name]) clearSessionCookies(reply, core);
    if (!o.required && err instanceof CoreError && err.status === 401) return null;
    throw err;
  }
  const ws = identity?.webSession;
  if (!identity || !ws) return identity;
  checkOrigin(req);
  if (!core.webSessions.needsRotation(ws)) return identity;
  const { token, session } = await core.webSessions.rotate(ws);
  writeSessionCookies(reply, core, token, session);
  return { ...identity, webSession: session };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Grafana's CSRF check (pkg/middleware/csrf): a cookie-authenticated change must not name another host as its Origin. */
export function checkOrigin(req: FastifyRequest) {
  const origin = req.headers.origin;
  if (SAFE_METHODS.has(req.method) || !origin) return;
  let host: string | undefined;
  try { host = new URL(origin).host; } catch { /* refused below */ }
  if (host !== req.headers.host) throw new GrafanaError('ORIGIN_NOT_ALLOWED');
}

function bind(route: GrafanaRoute, raw: unknown): unknown {
  if (!route.body || (raw === undefined && route.bodyOptional)) return undefined;
  const r = raw === UNPARSABLE || raw === null || typeof raw !== 'object' || Array.isArray(raw) ? undefined : route.body.safeParse(raw);
  if (!r?.success) throw new GrafanaError(route.bindError ?? 'BAD_REQUEST_DATA');
  return r.data;
}

/** Go's c.Query: the first value of each parameter. */
function queryOf(req: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/** Where and how a route is mounted: the web UI mounts the same routes under its own prefix, with a guard (src/web/ui-api.ts). */
export interface MountOptions {
  prefix?: string;
  /** Runs after authentication, before the access rule. */
  guard?: (identity: Identity | null, req: FastifyRequest, route: GrafanaRoute) => void;
}

export function mount(app: FastifyInstance, core: Core, route: GrafanaRoute, o: MountOptions = {}) {
  app.route({
    method: route.method,
    url: (o.prefix ?? '') + route.url,
    config: { grafanaBindError: route.bindError },
    async handler(req, reply) {
      const identity = route.auth === 'none' ? null : await identify(core, req, reply, { required: route.auth !== 'optional' });
      o.guard?.(identity, req, route);
      if (identity) checkAccess(route.access, identity, core, req.params as Record<string, string>);
      const body = bind(route, req.body);
      const result = await route.handle({ core, identity: identity!, body, params: req.params as Record<string, string>, query: queryOf(req), ip: req.clientIp, req, reply });
      if (result === reply) return reply;
      return reply.type(GRAFANA_JSON).send(JSON.stringify(result));
    },
  });
}

declare module 'fastify' {
  interface FastifyContextConfig { slashTwin?: boolean }
}

/**
 * Grafana's router ignores one trailing slash on every route (pkg/web/tree.go
 * trims it from patterns and paths alike): each route this face registers, by
 * whatever part of it, gets its twin with a slash. The Moonraker face, outside
 * this plugin, keeps Moonraker's exact paths.
 */
function ignoreTrailingSlash(app: FastifyInstance) {
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    if (r.config?.slashTwin || r.url.endsWith('/') || r.url.endsWith('*') || methods.every((m) => m === 'HEAD')) return;
    app.route({ ...r, method: methods.filter((m) => m !== 'HEAD'), url: `${r.url}/`, config: { ...r.config, slashTwin: true } });
  });
}

/** POST /login {"user","password"}: opens a browser session (also served under the gateway's prefix: src/web/pages.ts). */
export function loginHandler(core: Core) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    // Login CSRF (issue 17): a form on another site must not sign the browser in to the attacker's account.
    checkOrigin(req);
    const b = req.body as { user?: unknown; password?: unknown } | undefined;
    if (!b || typeof b !== 'object' || typeof b.user !== 'string' || typeof b.password !== 'string' || !b.user || !b.password) {
      throw new GrafanaError('BAD_LOGIN_DATA');
    }
    const { token, session } = await core.webSessions.login({ user: b.user, password: b.password, ip: req.clientIp, userAgent: req.headers['user-agent'] });
    writeSessionCookies(reply, core, token, session);
    return reply.type(GRAFANA_JSON).send(JSON.stringify({ message: 'Logged in', redirectUrl: '/' }));
  };
}

/** GET /logout: ends this session (whatever its state), clears the cookies, on to the sign-in page (also under the UI's prefix). */
export function logoutHandler(core: Core, loginUrl: string) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const token = parseCookies(req.headers.cookie)[core.config.auth.login_cookie_name];
    const session = token ? await core.webSessions.lookup(token) : undefined;
    await core.webSessions.logout(session, session && core.accounts.getById(session.userId)?.username, req.clientIp);
    clearSessionCookies(reply, core);
    return reply.redirect(core.config.auth.signout_redirect_url || loginUrl, 302);
  };
}

export async function grafanaHttp(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  app.setErrorHandler(grafanaErrorHandler);
  ignoreTrailingSlash(app);
  grafanaBodies(app);
  for (const route of routes) mount(app, core, route);

  // POST /login {"user","password"}: opens a browser session (not under /api; no credentials needed).
  app.post('/login', loginHandler(core));

  // GET /logout: ends this session (whatever its state), clears the cookies, back to the login page.
  app.get('/logout', logoutHandler(core, '/login'));

  registerWebPages(app, core, { identify: (req, reply) => identify(core, req, reply, { required: false }) });
}

/**
 * Grafana binds a body after authentication: a body that is not JSON is carried to
 * the handler and refused there. Like web.Bind, a JSON body sent as text/plain is JSON.
 */
export function grafanaBodies(app: FastifyInstance) {
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
}
