/// <reference lib="dom" />
// The admin UI: a shell (navigation, org switcher, sign-out, loading indicator) and
// one page per hash route (#/apikeys …). What a page offers follows the session's
// role; the server refuses the rest anyway (docs/web-ui.md).
import { api, ApiError, gapi, PREFIX, setCsrf, toLogin } from './api.js';
import { h } from './dom.js';
import type { Page, Session } from './page.js';
import { apiKeysPage } from './pages/apikeys.js';
import { serviceAccountsPage } from './pages/service-accounts.js';
import { usersPage } from './pages/users.js';
import { moonrakerPage } from './pages/moonraker.js';
import { profilePage } from './pages/profile.js';
import { orgsPage } from './pages/orgs.js';
import { auditPage } from './pages/audit.js';

const PAGES: Page[] = [apiKeysPage, serviceAccountsPage, usersPage, orgsPage, moonrakerPage, auditPage, profilePage];
const root = document.getElementById('app')!;
let session: Session;

/** The session, or (signed out: `{"user": null}`) on to the sign-in page and back. */
async function loadSession(): Promise<void> {
  const s = await api<Session | { user: null }>('GET', '/session');
  if (!s.user) {
    toLogin();
    throw new ApiError('Not signed in', 401);
  }
  session = s;
  setCsrf(session.csrfToken, loadSession);
}

const allowed = () => PAGES.filter((p) => p.allowed(session));

function orgSwitcher(): HTMLElement | null {
  if (session.orgs.length < 2) return null;
  const sel = h('select', { id: 'org-switch', onchange: async () => {
    try {
      await gapi('POST', `/api/user/using/${sel.value}`);
      await loadSession();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) alert((e as Error).message);
    }
    void render();
  } }, session.orgs.map((o) => h('option', { value: String(o.orgId), ...(o.orgId === session.orgId ? { selected: true } : {}) }, o.name)));
  return h('span', { class: 'org-switch' }, h('label', { for: 'org-switch' }, 'Organization'), sel);
}

function nav(current: Page): HTMLElement {
  return h('header', { class: 'bar' },
    h('strong', { class: 'brand' }, 'gatehouse'),
    h('nav', { 'aria-label': 'Main' }, h('ul', {}, allowed().map((p) =>
      h('li', {}, h('a', { href: `#/${p.id}`, ...(p === current ? { 'aria-current': 'page' } : {}) }, p.title))))),
    h('span', { class: 'who' }, orgSwitcher(), h('span', { class: 'me' }, session.user.login, ' · ', session.orgRole ?? 'no role'),
      h('a', { href: `${PREFIX}logout`, id: 'sign-out' }, 'Sign out')),
    h('div', { id: 'busy', class: 'busy', role: 'status', hidden: true }, 'Loading…'));
}

async function render(focus = false): Promise<void> {
  const pages = allowed();
  const id = location.hash.replace(/^#\/?/, '').split('?')[0];
  const page = pages.find((p) => p.id === id) ?? pages[0]!;
  if (page.id !== id) history.replaceState(null, '', `#/${page.id}`); // the address names the page shown
  const main = h('main', { id: 'main', tabindex: '-1' }, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  root.replaceChildren(nav(page), main);
  document.title = `${page.title} · gatehouse`;
  try {
    const body = await page.render({ session, rerender: () => void render() });
    main.replaceChildren(h('h1', {}, page.title), body);
    if (focus) main.focus();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    main.replaceChildren(h('h1', {}, page.title), h('p', { class: 'error', role: 'alert' }, (e as Error).message));
  }
}

async function boot(): Promise<void> {
  try {
    await loadSession();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) root.replaceChildren(h('p', { class: 'error', role: 'alert' }, (e as Error).message));
    return;
  }
  window.addEventListener('hashchange', () => void render(true));
  await render();
}

void boot();
