// Forward authentication for reverse proxies (nginx auth_request, Traefik
// forwardAuth, Caddy forward_auth): `/auth/verify` answers 200 with the
// identity in Authelia's header names when the forwarded request carries any
// credential gatehouse accepts, and 401 otherwise. See docs/gateway.md.
//
// Credentials, each checked by the existing steps (src/auth/): a Moonraker JWT
// (`Authorization: Bearer` with a JWT's three parts, or `X-Access-Token`), the
// Moonraker API key (`X-Api-Key`), and with the Grafana face on, a Grafana API
// key or service-account token (Bearer, or Basic `api_key:<key>`), Basic
// user:password and the session cookie. Not accepted here: trusted client
// addresses and force_logins (the request comes from the proxy, whose address
// says nothing about the client), oneshot tokens and `?access_token=` (in the
// original URL's query, which the proxy does not forward as such).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { Errors, GatehouseError } from '../../core/errors.js';
import type { Identity } from '../../core/identity.js';
import { then, type MaybePromise } from '../../core/maybe-promise.js';
import type { GrafanaCore, GrafanaIdentity } from '../../core/grafana/grafana-core.js';
import { authenticate, header, type AuthRequest, type Pipeline } from '../../auth/pipeline.js';
import { authenticateGrafana, requestedOrgId } from '../../auth/grafana.js';
import { moonrakerJwt } from '../../auth/steps/moonraker-jwt.js';
import { moonrakerApiKey } from '../../auth/steps/moonraker-api-key.js';
import { parseCookies } from '../grafana/cookies.js';
import { logFailedRequest } from '../shared/http-errors.js';

/** Moonraker's credentials, in its order; a Bearer value that is not a JWT is the Grafana steps'. */
const moonrakerSteps: Pipeline = [
  { name: 'moonraker-jwt-if-jwt', check: (req, core) => (isNonJwtBearer(req) ? undefined : moonrakerJwt.check(req, core)) },
  moonrakerApiKey,
];

function isNonJwtBearer(req: AuthRequest): boolean {
  const auth = header(req, 'authorization');
  return auth !== undefined && (!auth.startsWith('Bearer ') || auth.split('.').length !== 3);
}

const noCredential = (err: unknown) => {
  if ((err as GatehouseError).code === 'UNAUTHORIZED') return null;
  throw err;
};

/**
 * Moonraker's steps with authRequired (so an expired token is refused, as on
 * every route that needs a login); null when none of them found its credential.
 */
function moonrakerIdentity(req: AuthRequest, core: Core): MaybePromise<Identity | null> {
  let r: MaybePromise<Identity | null>;
  try {
    r = authenticate(moonrakerSteps, { ...req, authRequired: true }, core);
  } catch (err) {
    return noCredential(err);
  }
  return r instanceof Promise ? r.catch(noCredential) : r;
}

/** What the 200 tells the proxy (docs/gateway.md, "What /auth/verify answers"). */
export interface VerifiedIdentity {
  user: string;
  name: string;
  email: string;
  /** The Grafana org role in the org the request acts in: Admin, Editor, Viewer, or None. */
  role: string;
  groups: string[];
}

/** The credential's kind, as Remote-Groups names it. */
const KIND_GROUP: Record<Identity['kind'], string> = {
  user: 'user', api_key: 'api-key', trusted: 'trusted', grafana_api_key: 'grafana-api-key', service_account: 'service-account',
};

function describe(core: Core, kind: Identity['kind'], username: string, userId: number | null, g?: GrafanaIdentity): VerifiedIdentity {
  const user = userId !== null ? core.users.getById(userId) : undefined;
  // Moonraker's API key is its administrator: it may do anything on every route.
  const role = kind === 'api_key' ? 'Admin' : g?.orgRole ?? 'None';
  const groups = [KIND_GROUP[kind], `role-${role.toLowerCase()}`];
  if (g?.isGrafanaAdmin) groups.push('grafana-admin');
  return { user: username, name: user?.name || username, email: user?.email ?? '', role, groups };
}

/**
 * The identity a forwarded request proves, or null when it carries no
 * credential; throws (or rejects with) a GatehouseError when one is refused.
 * A session cookie is checked but not rotated: the proxy does not hand the
 * new cookie to the browser (gatehouse's own pages rotate it).
 */
export function verifyForwarded(req: AuthRequest, core: Core, g: GrafanaCore | undefined): MaybePromise<VerifiedIdentity | null> {
  return then(moonrakerIdentity(req, core), (id): MaybePromise<VerifiedIdentity | null> => {
    if (id) {
      if (!g || id.userId === null) return describe(core, id.kind, id.username, id.userId);
      const user = core.users.getById(id.userId);
      if (!user) throw Errors.unauthorized();
      return then(g.userIdentity(user, requestedOrgId(req), id.via), (gid) => describe(core, id.kind, id.username, id.userId, gid));
    }
    if (!g) return null;
    return then(authenticateGrafana({ ...req, authRequired: false }, g), (gid) => gid && describe(core, gid.kind, gid.username, gid.userId, gid));
  });
}

/** A header value as bytes on the wire: UTF-8 (Node writes header strings as latin1). */
const wire = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : Buffer.from(s.replace(/[\r\n\0]/g, ''), 'utf8').toString('latin1'));

/** The path (and query) of the original request, from the proxy's headers; only a same-site path. */
function originalPath(req: FastifyRequest): string | undefined {
  const h = req.headers;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  let uri = first(h['x-original-uri']) ?? first(h['x-forwarded-uri']);
  const url = first(h['x-original-url']);
  if (uri === undefined && url !== undefined) {
    try { const u = new URL(url); uri = u.pathname + u.search; } catch { /* no hint */ }
  }
  return uri !== undefined && uri.startsWith('/') && !uri.startsWith('//') && !uri.startsWith('/\\') ? uri : undefined;
}

const isBrowser = (req: FastifyRequest) => /\btext\/html\b/.test(req.headers.accept ?? '');
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface ForwardAuthOptions {
  core: Core;
  grafana?: GrafanaCore;
  /** Where a browser signs in (config [gateway] login_url). */
  loginUrl: string;
}

/** `/auth/verify` for every method (nginx's subrequest keeps the original one); any body is read within the limit and ignored. */
export async function forwardAuth(app: FastifyInstance, o: ForwardAuthOptions) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));

  const unauthorized = (req: FastifyRequest, reply: FastifyReply, err: GatehouseError) => {
    logFailedRequest(req, 401);
    reply.code(401).header('WWW-Authenticate', 'Bearer realm="gatehouse"');
    if (isBrowser(req)) {
      const path = originalPath(req);
      const login = path ? `${o.loginUrl}${o.loginUrl.includes('?') ? '&' : '?'}redirect=${encodeURIComponent(path)}` : o.loginUrl;
      reply.header('Location', login).type('text/html; charset=utf-8');
      return reply.send(`<!doctype html><meta charset="utf-8"><title>Sign in</title><p><a href="${escapeHtml(login)}">Sign in</a></p>\n`);
    }
    return reply.type('application/json; charset=UTF-8').send({ error: { code: 401, message: err.message } });
  };

  // Every refusal is a 401 (nginx's auth_request knows 2xx, 401 and 403 only; its message says why);
  // a failure of gatehouse's own (LDAP down: 503) keeps its status.
  app.setErrorHandler((error, req, reply) => {
    const e = error as GatehouseError;
    if (e.name === 'GatehouseError' && e.status < 500) return unauthorized(req, reply, e);
    if (e.name === 'GatehouseError') {
      logFailedRequest(req, e.status);
      return reply.code(e.status).type('application/json; charset=UTF-8').send({ error: { code: e.status, message: e.message } });
    }
    throw error;
  });

  const ok = (reply: FastifyReply, id: VerifiedIdentity | null) => {
    if (!id) throw Errors.unauthorized();
    // Cache-Control: no-store comes with every response (src/server/http-server.ts); each header
    // set here costs Node a check of its own, so an empty Remote-Email is left out.
    reply.code(200).header('Remote-User', wire(id.user)).header('Remote-Name', wire(id.name));
    if (id.email) reply.header('Remote-Email', wire(id.email));
    return reply.header('Remote-Groups', id.groups.join(',')).header('Remote-Role', id.role).type('text/plain; charset=utf-8').send('OK\n');
  };

  const handler = (req: FastifyRequest, reply: FastifyReply) => {
    const ar: AuthRequest = {
      method: req.method, headers: req.headers, query: {}, ip: req.ip, authRequired: false,
      cookies: parseCookies(req.headers.cookie), basic: undefined,
    };
    // The cheap 401: nothing that could be a credential.
    if (!req.headers.authorization && !req.headers['x-api-key'] && !req.headers['x-access-token'] && !(o.grafana && ar.cookies![o.grafana.opts.loginCookieName])) {
      return unauthorized(req, reply, Errors.unauthorized());
    }
    return then(verifyForwarded(ar, o.core, o.grafana), (id) => ok(reply, id));
  };
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: '/auth/verify', handler });
}
