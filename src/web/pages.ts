// The web pages of the Grafana face: a login form (GET /login, posting JSON to
// POST /login) and the API Keys page (GET /org/apikeys), plain HTML with a little
// vanilla JS calling /api/auth/keys with the session cookie; and the files of the
// admin UI (ui-api.ts serves them). Scripts are same-origin files so the pages run
// under a strict CSP.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/core.js';
import type { Identity } from '../core/model.js';
import { HttpError } from '../faces/shared/http-errors.js';

const DIR = dirname(fileURLToPath(import.meta.url));
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
const JS = 'text/javascript; charset=utf-8';

/**
 * The admin UI's script: dist/ui.js beside the bundle (scripts/build.js builds it);
 * running from the sources, built from src/web/ui/ with esbuild (a devDependency) on first use.
 */
function uiScript(): string {
  if (existsSync(join(DIR, 'ui.js'))) return read('ui.js');
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({ entryPoints: [join(DIR, 'ui/main.ts')], bundle: true, minify: true, format: 'iife', target: 'es2020', write: false, legalComments: 'none' });
  return out.outputFiles[0]!.text;
}

type Asset = { type: string; body: string };
const lazy = (type: string, body: () => string) => {
  let cached: Asset | undefined;
  return () => (cached ??= { type, body: body() });
};
/** A Map, not an object: `__proto__`, `constructor`… are no asset (issue 17 finding 9). */
const FILES = new Map<string, () => Asset>([
  ['login.js', lazy(JS, () => read('login.js'))],
  ['apikeys.js', lazy(JS, () => read('apikeys.js'))],
  ['style.css', lazy('text/css; charset=utf-8', () => read('style.css'))],
  ['ui.js', lazy(JS, uiScript)],
  ['ui.css', lazy('text/css; charset=utf-8', () => read('ui.css'))],
  ['favicon.svg', lazy('image/svg+xml', () => read('favicon.svg'))],
]);
export const ASSETS = { get: (name: string): Asset | undefined => FILES.get(name)?.() };
export const LOGIN_HTML = read('login.html');
const APIKEYS_HTML = read('apikeys.html');
export const SHELL_HTML = read('app.html');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const HTML = 'text/html; charset=utf-8';

export interface WebHelpers {
  identify(req: FastifyRequest, reply: FastifyReply): Promise<Identity | null>;
}

/** An HTML page, under its own CSP: the server's default forbids everything, and pages need their own scripts and styles. */
export function sendPage(reply: FastifyReply, body: string) {
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
