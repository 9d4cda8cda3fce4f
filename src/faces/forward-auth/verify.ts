// Forward authentication for reverse proxies (nginx auth_request, Traefik
// forwardAuth, Caddy forward_auth): `/auth/verify` answers 200 with the
// identity in Authelia's header names when the forwarded request carries any
// credential gatehouse accepts (src/auth/policies.ts, "forward auth"), and 401
// otherwise. See docs/gateway.md.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../../auth/run.js';
import { POLICIES } from '../../auth/policies.js';
import { AuthRequest } from '../../auth/request.js';
import type { Core } from '../../core/core.js';
import { CatalogueError, fail } from '../../core/errors.js';
import type { Identity } from '../../core/model.js';
import { MOONRAKER_JSON } from '../moonraker/errors.js';
import { logFailedRequest } from '../shared/http-errors.js';

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
  user: 'user', api_key: 'api-key', trusted: 'trusted', moonraker_key: 'moonraker-key', grafana_api_key: 'grafana-api-key', service_account: 'service-account',
};

function describe(core: Core, id: Identity, g: Identity | undefined): VerifiedIdentity {
  const user = id.userId !== null ? core.accounts.getById(id.userId) : undefined;
  // Moonraker's API key is its administrator: it may do anything on every route.
  const role = id.kind === 'api_key' ? 'Admin' : g?.orgRole ?? 'None';
  const groups = [KIND_GROUP[id.kind], `role-${role.toLowerCase()}`];
  if (g?.isGrafanaAdmin) groups.push('grafana-admin');
  if (id.kind === 'moonraker_key') groups.push(`scope-${id.scope}`); // a named Moonraker key: what it may do (src/auth/scopes.ts)
  return { user: id.username, name: user?.name || id.username, email: user?.email ?? '', role, groups };
}

/**
 * The identity a forwarded request proves; throws the CoreError that refuses it
 * (UNAUTHORIZED when it carries no credential). A session cookie is checked but
 * not rotated: the proxy does not hand the new cookie to the browser.
 */
export async function verifyForwarded(req: AuthRequest, core: Core): Promise<VerifiedIdentity> {
  const id = (await authenticate(POLICIES.forwardAuth, req, core))!;
  // Grafana's credentials carry their org and role; a Moonraker one's user gets them as the Grafana face would.
  if (!core.config.gatehouse.grafana_enabled || id.userId === null || id.orgRole !== null || id.via === 'session' || id.via === 'basic') return describe(core, id, id.orgRole !== null ? id : undefined);
  const user = core.accounts.getById(id.userId);
  if (!user) throw fail('UNAUTHORIZED');
  return describe(core, id, await core.verify.grafanaUser(user, req.requestedOrg, id.via));
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

function unauthorized(req: FastifyRequest, reply: FastifyReply, message: string, loginUrl: string) {
  logFailedRequest(req, 401);
  reply.code(401).header('WWW-Authenticate', 'Bearer realm="gatehouse"');
  if (isBrowser(req)) {
    const path = originalPath(req);
    const login = path ? `${loginUrl}${loginUrl.includes('?') ? '&' : '?'}redirect=${encodeURIComponent(path)}` : loginUrl;
    reply.header('Location', login).type('text/html; charset=utf-8');
    return reply.send(`<!doctype html><meta charset="utf-8"><title>Sign in</title><p><a href="${escapeHtml(login)}">Sign in</a></p>\n`);
  }
  return reply.type(MOONRAKER_JSON).send({ error: { code: 401, message } });
}

function ok(reply: FastifyReply, id: VerifiedIdentity) {
  // Cache-Control: no-store comes with every response; each header set here costs Node a check, so an empty Remote-Email is left out.
  reply.code(200).header('Remote-User', wire(id.user)).header('Remote-Name', wire(id.name));
  if (id.email) reply.header('Remote-Email', wire(id.email));
  return reply.header('Remote-Groups', id.groups.join(',')).header('Remote-Role', id.role).type('text/plain; charset=utf-8').send('OK\n');
}

/** `/auth/verify` for every method (nginx's subrequest keeps the original one); any body is read within the limit and ignored. */
export async function forwardAuth(app: FastifyInstance, o: { core: Core; loginUrl: string }) {
  const { core } = o;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));
  // Every refusal is a 401 (nginx's auth_request knows 2xx, 401 and 403 only; its message says why);
  // a failure of gatehouse's own (LDAP down: 503) keeps its status.
  app.setErrorHandler((error, req, reply) => {
    if (!(error instanceof CatalogueError)) throw error;
    if (error.status < 500) return unauthorized(req, reply, error.message, o.loginUrl);
    logFailedRequest(req, error.status);
    return reply.code(error.status).type(MOONRAKER_JSON).send({ error: { code: error.status, message: error.message } });
  });
  const cookieName = core.config.auth.login_cookie_name;
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '/auth/verify',
    async handler(req, reply) {
      const ar = new AuthRequest({ headers: req.headers, ip: req.clientIp, authRequired: true });
      // The cheap 401: nothing that could be a credential (the cookies parsed only when nothing else is there).
      const credential = req.headers.authorization || req.headers['x-api-key'] || req.headers['x-access-token'] || (core.config.gatehouse.grafana_enabled && ar.cookies[cookieName]);
      if (!credential) return unauthorized(req, reply, 'Unauthorized', o.loginUrl);
      return ok(reply, await verifyForwarded(ar, core));
    },
  });
}

