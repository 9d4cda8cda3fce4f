// The small web UI of the Grafana face: a login form (GET /login, posting JSON to
// POST /login) and the API Keys page (GET /org/apikeys), plain HTML with a little
// vanilla JS calling /api/auth/keys with the session cookie. Files are read once
// at start; scripts are same-origin files so the pages run under a strict CSP.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/core.js';
import type { Identity } from '../core/model.js';
import { HttpError } from '../faces/shared/http-errors.js';
import { grafanaErrorHandler, loginHandler } from '../faces/grafana/http.js';

const DIR = dirname(fileURLToPath(import.meta.url));
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

/** A Map, not an object: `__proto__`, `constructor`… are no asset (issue 17 finding 9). */
const ASSETS = new Map<string, { type: string; body: string }>([
  ['login.js', { type: 'text/javascript; charset=utf-8', body: read('login.js') }],
  ['apikeys.js', { type: 'text/javascript; charset=utf-8', body: read('apikeys.js') }],
  ['style.css', { type: 'text/css; charset=utf-8', body: read('style.css') }],
]);
const LOGIN_HTML = read('login.html');
const APIKEYS_HTML = read('apikeys.html');

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const HTML = 'text/html; charset=utf-8';

export interface WebHelpers {
  identify(req: FastifyRequest, reply: FastifyReply): Promise<Identity | null>;
}

/** An HTML page, under its own CSP: the server's default forbids everything, and pages need their own scripts and styles. */
function sendPage(reply: FastifyReply, body: string) {
  return reply.type(HTML).header('Content-Security-Policy', PAGE_CSP).send(body);
}

export function registerWebPages(app: FastifyInstance, core: Core, h: WebHelpers) {
  app.get('/login', async (_req, reply) => {
    const body = (core.config.auth.disable_login_form || core.config.auth.disable_login) ? LOGIN_HTML.replace('<!--DISABLED-->', '<p class="error">Login is disabled.</p>') : LOGIN_HTML;
    return sendPage(reply, body);
  });

  app.get('/org/apikeys', async (req, reply) => {
    const id = await h.identify(req, reply);
    if (!id) return reply.redirect('/login?redirectTo=%2Forg%2Fapikeys', 302);
    return sendPage(reply, APIKEYS_HTML);
  });

  app.get('/public/gatehouse/:file', async (req, reply) => {
    const asset = ASSETS.get((req.params as { file: string }).file);
    if (!asset) throw new HttpError('NOT_FOUND');
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
export async function prefixedLogin(app: FastifyInstance, o: { core: Core; pagesPrefix: string }) {
  // (Not `prefix`: Fastify would read that plugin option as a route prefix.)
  const { core, pagesPrefix: prefix } = o;
  const a = core.config.auth;
  const page = LOGIN_HTML
    .replaceAll('/public/gatehouse/', `${prefix}public/`)
    .replace('<form id="login-form">', `<form id="login-form" data-action="${prefix}login" data-home="/">`)
    .replace('<!--DISABLED-->', a.disable_login_form || a.disable_login ? '<p class="error">Login is disabled.</p>' : '');
  app.setErrorHandler(grafanaErrorHandler);
  app.get(`${prefix}login`, async (_req, reply) => sendPage(reply, page));
  app.post(`${prefix}login`, loginHandler(core));
  app.get(`${prefix}public/:file`, async (req, reply) => {
    const asset = ASSETS.get((req.params as { file: string }).file);
    if (!asset) throw new HttpError('NOT_FOUND');
    return reply.type(asset.type).send(asset.body);
  });
}
