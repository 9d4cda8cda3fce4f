/// <reference lib="dom" />
// Users (server admins): search and paging, create, delete, reset password, server-admin flag.
// The server keeps the last server admin and refuses deleting yourself.
import { api } from '../api.js';
import { field, h, table } from '../dom.js';
import { confirmButton, form, messages } from '../form.js';
import { isServerAdmin, type Page, type PageContext } from '../page.js';

interface User { id: number; login: string; email: string; name: string; source: string; isGrafanaAdmin: boolean }
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

function row(ctx: PageContext, u: User, msg: ReturnType<typeof messages>, refresh: () => Promise<void>, extra: HTMLElement): HTMLElement {
  const self = u.id === ctx.session.user.id;
  return h('tr', {},
    h('td', {}, u.login), h('td', {}, u.email), h('td', {}, u.source === 'moonraker' ? 'local' : u.source), h('td', {}, u.isGrafanaAdmin ? 'yes' : ''),
    h('td', { class: 'buttons' },
      u.source === 'moonraker' && !self ? h('button', { type: 'button', 'aria-label': `Reset password of ${u.login}`, onclick: () => extra.replaceChildren(resetForm(u, () => { extra.replaceChildren(h('p', { role: 'status' }, `Password of ${u.login} changed.`)); })) }, 'Reset password') : null,
      self ? null : h('button', { type: 'button', 'aria-label': u.isGrafanaAdmin ? `Revoke server admin from ${u.login}` : `Make ${u.login} server admin`, onclick: async () => {
        try {
          await api('PUT', `/users/${u.id}/admin`, { isGrafanaAdmin: !u.isGrafanaAdmin });
          await refresh();
        } catch (e) { msg.show(e as Error); }
      } }, u.isGrafanaAdmin ? 'Revoke server admin' : 'Make server admin'),
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
    list.replaceChildren(table(['Login', 'E-mail', 'Source', 'Server admin', ''], r.users.map((u) => row(ctx, u, msg, refresh, extra)), 'No users match.', 'Users'));
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
