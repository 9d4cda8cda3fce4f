// The admin web UI (docs/web-ui.md): one plugin per listener that serves it.
// Under the gateway's reserved prefix (`[gateway] prefix`, default /gatehouse/):
//   <prefix>            the single-page app's shell (also at `/` when `/` is gatehouse's)
//   <prefix>login       the sign-in page (GET) and POST <prefix>login
//   <prefix>public/…    its scripts and styles (a prototype-free map)
//   <prefix>api/…       its JSON API: gatehouse's own routes (api/index.ts) and the Grafana
//                       face's routes again under <prefix>api/grafana/…, with the same role
//                       checks, taking a browser session only and a CSRF header on every change
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/core.js';
import type { Identity } from '../core/model.js';
import { HttpError } from '../faces/shared/http-errors.js';
import { grafanaBodies, grafanaErrorHandler, loginHandler, logoutHandler, mount } from '../faces/grafana/http.js';
import { GrafanaError } from '../faces/grafana/errors.js';
import { routes as grafanaRoutes } from '../faces/grafana/endpoints/index.js';
import type { GrafanaRoute } from '../faces/grafana/route.js';
import { uiRoutes } from './api/index.js';
import { CSRF_HEADER, csrfOf, type CsrfTokens } from './csrf.js';
import { ASSETS, escapeHtml, LOGIN_HTML, sendPage, SHELL_HTML } from './pages.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The cookie session only (no Basic, no key); a change carries the session's CSRF token.
 * A route whose auth is optional (GET <prefix>api/session) is reached signed out too.
 */
function guardOf(csrf: CsrfTokens) {
  return (identity: Identity | null, req: FastifyRequest, route: GrafanaRoute) => {
    if (!identity && route.auth === 'optional') return;
    if (!identity?.webSession) throw new GrafanaError('UI_SESSION_REQUIRED');
    if (!SAFE.has(req.method)) csrf.check(identity.webSession, req.headers[CSRF_HEADER]);
  };
}

export interface WebUiOptions {
  core: Core;
  /** The reserved prefix, with its trailing slash. */
  pagesPrefix: string;
  /** Whether `/` is gatehouse's on this listener (not in gateway mode), and the shell is served there too. */
  root: boolean;
  /** The sign-in page this listener's app sends a browser to. */
  loginUrl: string;
  /** Where the sign-in page goes when no redirect is asked for. */
  home: string;
}

export async function webUi(app: FastifyInstance, o: WebUiOptions) {
  const { core, pagesPrefix: prefix } = o;
  app.setErrorHandler(grafanaErrorHandler);
  grafanaBodies(app);
  const guard = guardOf(csrfOf(core));
  for (const route of grafanaRoutes) mount(app, core, route, { prefix: `${prefix}api/grafana`, guard });
  for (const route of uiRoutes) mount(app, core, route, { prefix: `${prefix}api`, guard });

  const a = core.config.auth;
  const login = LOGIN_HTML
    .replaceAll('/public/gatehouse/', `${escapeHtml(prefix)}public/`)
    .replace('<form id="login-form">', `<form id="login-form" data-action="${escapeHtml(prefix)}login" data-home="${escapeHtml(o.home)}">`)
    .replace('<!--DISABLED-->', a.disable_login_form || a.disable_login ? '<p class="error">Login is disabled.</p>' : '');
  const shell = SHELL_HTML.replaceAll('{{prefix}}', escapeHtml(prefix)).replaceAll('{{login}}', escapeHtml(o.loginUrl));
  app.get(`${prefix}login`, async (_req, reply) => sendPage(reply, login));
  app.post(`${prefix}login`, loginHandler(core));
  app.get(`${prefix}logout`, logoutHandler(core, o.loginUrl));
  app.get(`${prefix}public/:file`, async (req, reply) => {
    const asset = ASSETS.get((req.params as { file: string }).file);
    if (!asset) throw new HttpError('NOT_FOUND');
    return reply.type(asset.type).send(asset.body);
  });
  const page = async (_req: FastifyRequest, reply: FastifyReply) => sendPage(reply, shell);
  app.get(prefix, page);
  if (o.root) app.get('/', page);
}
