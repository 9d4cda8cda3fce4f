// The small web UI of the Grafana face: a login form (GET /login, posting JSON to
// POST /login) and the API Keys page (GET /org/apikeys), plain HTML with a little
// vanilla JS calling /api/auth/keys with the session cookie. Files are read once
// at start; scripts are same-origin files so the pages run under a strict CSP.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GrafanaCore, GrafanaIdentity } from '../core/grafana/grafana-core.js';
import { logFailedRequest, toGatehouseError } from '../faces/shared/http-errors.js';
import { grafanaErrorBody, loginHandler } from '../faces/grafana/http.js';
import type { MaybePromise } from '../core/maybe-promise.js';

const DIR = dirname(fileURLToPath(import.meta.url));
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

const ASSETS: Record<string, { type: string; body: string }> = {
  'login.js': { type: 'text/javascript; charset=utf-8', body: read('login.js') },
  'apikeys.js': { type: 'text/javascript; charset=utf-8', body: read('apikeys.js') },
  'style.css': { type: 'text/css; charset=utf-8', body: read('style.css') },
};
const LOGIN_HTML = read('login.html');
const APIKEYS_HTML = read('apikeys.html');

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const HTML = 'text/html; charset=utf-8';

export interface WebHelpers {
  identify(req: FastifyRequest, reply: FastifyReply): MaybePromise<GrafanaIdentity | null>;
}

/** An HTML page, under its own CSP: the server's default forbids everything, and pages need their own scripts and styles. */
function sendPage(reply: FastifyReply, body: string) {
  return reply.type(HTML).header('Content-Security-Policy', PAGE_CSP).send(body);
}

export function registerWebPages(app: FastifyInstance, g: GrafanaCore, h: WebHelpers) {
  app.get('/login', async (_req, reply) => {
    const body = g.opts.disableLoginForm ? LOGIN_HTML.replace('<!--DISABLED-->', '<p class="error">Login is disabled.</p>') : LOGIN_HTML;
    return sendPage(reply, body);
  });

  app.get('/org/apikeys', async (req, reply) => {
    const id = await h.identify(req, reply);
    if (!id) return reply.redirect('/login?redirectTo=%2Forg%2Fapikeys', 302);
    return sendPage(reply, APIKEYS_HTML);
  });

  app.get('/public/gatehouse/:file', async (req, reply) => {
    const asset = ASSETS[(req.params as { file: string }).file];
    if (!asset) {
      logFailedRequest(req, 404);
      return reply.code(404).type('application/json; charset=utf-8').send('{"message":"Not found"}');
    }
    return reply.type(asset.type).send(asset.body);
  });
}

/**
 * The sign-in page under the gateway's prefix on the Moonraker listener
 * (`<prefix>login`, its assets under `<prefix>public/`, posting to
 * `<prefix>login`), where /auth/verify sends browsers: with a gateway, the
 * Grafana face's own /login lives on another listener. A plugin (its own
 * context), answering errors in the Grafana face's shapes, which the page reads.
 */
export async function prefixedLogin(app: FastifyInstance, o: { grafana: GrafanaCore; pagesPrefix: string }) {
  // (Not `prefix`: Fastify would read that plugin option as a route prefix.)
  const { grafana: g, pagesPrefix: prefix } = o;
  const page = (disabled: boolean) => LOGIN_HTML
    .replaceAll('/public/gatehouse/', `${prefix}public/`)
    .replace('<form id="login-form">', `<form id="login-form" data-action="${prefix}login" data-home="/">`)
    .replace('<!--DISABLED-->', disabled ? '<p class="error">Login is disabled.</p>' : '');

  app.setErrorHandler((error, req, reply) => {
    const err = toGatehouseError(error, req.log);
    logFailedRequest(req, err.status);
    return reply.code(err.status).type('application/json; charset=utf-8').send(JSON.stringify(grafanaErrorBody(err)));
  });
  app.get(`${prefix}login`, async (_req, reply) => sendPage(reply, page(g.opts.disableLoginForm)));
  app.post(`${prefix}login`, loginHandler(g));
  app.get(`${prefix}public/:file`, async (req, reply) => {
    const asset = ASSETS[(req.params as { file: string }).file];
    if (!asset) {
      logFailedRequest(req, 404);
      return reply.code(404).type('application/json; charset=utf-8').send('{"message":"Not found"}');
    }
    return reply.type(asset.type).send(asset.body);
  });
}
