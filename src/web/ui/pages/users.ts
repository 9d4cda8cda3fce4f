/// <reference lib="dom" />
// Users (server admins): search and paging, create, delete, reset password, disable/enable,
// server-admin flag, Moonraker scope. The server (the core's one authority) keeps the last
// enabled server admin and refuses deleting yourself.
import { api } from '../api.js';
import { field, h, select, table } from '../dom.js';
import { confirmButton, form, messages } from '../form.js';
import { isServerAdmin, type Page, type PageContext } from '../page.js';

interface User { id: number; login: string; email: string; name: string; source: string; isGrafanaAdmin: boolean; isDisabled: boolean; scope: string }
interface UserPage { totalCount: number; page: number; perPage: number; users: User[] }
const PER_PAGE = 20;

function resetForm(u: User, done: () => void): HTMLElement {
  const pw = field(`New password for ${u.login}`, h('input', { type: 'password', autocomplete: 'new-password' }));
  return form({
    label: `Reset password of ${u.login}`, submit: 'Set password', fields: [pw], required: [pw],
    async onSubmit() {
      await api('PUT', `/users/${u.id}/password`, { password: pw.input.value });
      done();
    },
  });
}

type Msg = ReturnType<typeof messages>;

/** A button that runs one change and refreshes the list (its error beside the list). */
const action = (label: string, aria: string, msg: Msg, run: () => Promise<unknown>, refresh: () => Promise<void>) =>
  h('button', { type: 'button', 'aria-label': aria, onclick: async () => {
    try {
      await run();
      msg.clear();
      await refresh();
    } catch (e) { msg.show(e as Error); }
  } }, label);

/** The account's Moonraker scope (read / control / admin), changed as soon as it is picked. */
function scopeCell(u: User, msg: Msg, refresh: () => Promise<void>): HTMLElement {
  const sel = select(['read', 'control', 'admin'], u.scope);
  sel.setAttribute('aria-label', `Moonraker scope of ${u.login}`);
  sel.addEventListener('change', async () => {
    try {
      await api('PUT', `/users/${u.id}/scope`, { scope: sel.value });
      msg.clear();
    } catch (e) { msg.show(e as Error); await refresh(); }
  });
  return h('td', {}, sel);
}

function row(ctx: PageContext, u: User, msg: Msg, refresh: () => Promise<void>, extra: HTMLElement): HTMLElement {
  const self = u.id === ctx.session.user.id;
  return h('tr', { 'data-login': u.login, class: u.isDisabled ? 'disabled' : '' },
    h('td', {}, u.login), h('td', {}, u.email), h('td', {}, u.source === 'moonraker' ? 'local' : u.source), h('td', {}, u.isDisabled ? 'Disabled' : 'Active'),
    h('td', {}, u.isGrafanaAdmin ? 'yes' : ''), scopeCell(u, msg, refresh),
    h('td', { class: 'buttons' },
      u.source === 'moonraker' && !self ? h('button', { type: 'button', 'aria-label': `Reset password of ${u.login}`, onclick: () => extra.replaceChildren(resetForm(u, () => { extra.replaceChildren(h('p', { role: 'status' }, `Password of ${u.login} changed.`)); })) }, 'Reset password') : null,
      self ? null : action(u.isDisabled ? 'Enable' : 'Disable', `${u.isDisabled ? 'Enable' : 'Disable'} ${u.login}`, msg,
        () => api('PUT', `/users/${u.id}/disabled`, { isDisabled: !u.isDisabled }), refresh),
      self ? null : action(u.isGrafanaAdmin ? 'Revoke server admin' : 'Make server admin', u.isGrafanaAdmin ? `Revoke server admin from ${u.login}` : `Make ${u.login} server admin`, msg,
        () => api('PUT', `/users/${u.id}/admin`, { isGrafanaAdmin: !u.isGrafanaAdmin }), refresh),
      self ? null : confirmButton('Delete', `user ${u.login}`, async () => {
        await api('DELETE', `/users/${u.id}`);
        await refresh();
      }, msg.show)));
}

async function render(ctx: PageContext): Promise<Node> {
  const msg = messages();
  const list = h('div');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of users' });
  const extra = h('div');
  const search = h('input', { type: 'search', id: 'user-search', placeholder: 'login, e-mail or name' });
  let page = 1;
  const refresh = async () => {
    const r = await api<UserPage>('GET', `/users?query=${encodeURIComponent(search.value)}&page=${page}&perpage=${PER_PAGE}`);
    list.replaceChildren(table(['Login', 'E-mail', 'Source', 'Status', 'Server admin', 'Moonraker scope', ''], r.users.map((u) => row(ctx, u, msg, refresh, extra)), 'No users match.', 'Users'));
    const pages = Math.max(1, Math.ceil(r.totalCount / PER_PAGE));
    pager.replaceChildren(
      h('button', { type: 'button', disabled: page <= 1, onclick: () => { page--; void refresh(); } }, 'Previous'),
      h('span', {}, ` Page ${page} of ${pages} (${r.totalCount} users) `),
      h('button', { type: 'button', disabled: page >= pages, onclick: () => { page++; void refresh(); } }, 'Next'));
  };
  let timer: number | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => { page = 1; refresh().catch(msg.show); }, 250);
  });
  await refresh();
  const login = field('Login', h('input', { autocomplete: 'off' }));
  const password = field('Password', h('input', { type: 'password', autocomplete: 'new-password' }));
  const add = form({
    label: 'Create user', submit: 'Create user', fields: [login, password], required: [login, password],
    errorField: (m) => (/password/i.test(m) ? password : /user|name|login/i.test(m) ? login : undefined),
    async onSubmit() {
      await api('POST', '/users', { login: login.input.value.trim(), password: password.input.value });
      login.input.value = password.input.value = '';
      await refresh();
    },
  });
  return h('div', {}, h('h2', {}, 'Create user'), add, msg.el, h('h2', {}, 'All users'),
    h('div', { class: 'field' }, h('label', { for: 'user-search' }, 'Search users'), search), list, pager, extra);
}

export const usersPage: Page = { id: 'users', title: 'Users', allowed: isServerAdmin, render };
