/// <reference lib="dom" />
// The signed-in user: who, which orgs, its active sessions (browser and Moonraker logins:
// revoke one, or sign out everywhere), and the password change (which ends every login
// of the account, this one too: the page then signs in again).
import { api, toLogin } from '../api.js';
import { field, h, table, when } from '../dom.js';
import { confirmButton, FieldError, form, messages } from '../form.js';
import type { Page, PageContext } from '../page.js';

interface Session { id: number; face: 'grafana' | 'moonraker'; current: boolean; ip: string; client: string; createdAt: string; seenAt: string }

async function sessions(): Promise<Node> {
  const msg = messages();
  const list = h('div');
  const refresh = async () => {
    const rows = await api<Session[]>('GET', '/profile/sessions');
    list.replaceChildren(table(['Kind', 'Client', 'Address', 'Created', 'Last seen', ''], rows.map((s) => h('tr', { 'data-session-id': String(s.id) },
      h('td', {}, s.face === 'grafana' ? 'Browser' : 'Moonraker login'), h('td', {}, s.client), h('td', {}, s.ip || '—'),
      h('td', {}, when(s.createdAt)), h('td', {}, when(s.seenAt)),
      h('td', {}, s.current ? h('em', {}, 'This session') : confirmButton('Revoke', `session ${s.id} (${s.client})`, async () => {
        await api('DELETE', `/profile/sessions/${s.id}`);
        await refresh();
      }, msg.show)))), 'No active sessions.', 'Active sessions'));
  };
  await refresh();
  const everywhere = confirmButton('Sign out everywhere', '(every browser and Moonraker login, this one too)', async () => {
    await api('POST', '/profile/sessions/revoke-all');
    toLogin();
  }, msg.show);
  return h('section', { 'aria-label': 'Active sessions' }, h('h2', {}, 'Active sessions'), list, h('p', {}, everywhere), msg.el);
}

async function render(ctx: PageContext): Promise<Node> {
  const { user, orgs } = ctx.session;
  const old = field('Current password', h('input', { type: 'password', autocomplete: 'current-password' }));
  const next = field('New password', h('input', { type: 'password', autocomplete: 'new-password' }));
  const again = field('Confirm new password', h('input', { type: 'password', autocomplete: 'new-password' }));
  const change = form({
    label: 'Change password', submit: 'Change password', fields: [old, next, again], required: [old, next, again],
    async onSubmit() {
      if (next.input.value !== again.input.value) throw new FieldError(again, 'The two new passwords differ');
      await api('PUT', '/profile/password', { oldPassword: old.input.value, newPassword: next.input.value });
      toLogin();
    },
  });
  return h('div', {},
    h('dl', { class: 'facts' }, h('dt', {}, 'Login'), h('dd', {}, user.login), h('dt', {}, 'E-mail'), h('dd', {}, user.email || '—'),
      h('dt', {}, 'Source'), h('dd', {}, user.source === 'moonraker' ? 'local' : user.source), h('dt', {}, 'Server admin'), h('dd', {}, user.isGrafanaAdmin ? 'yes' : 'no')),
    h('h2', {}, 'Organizations'),
    table(['Organization', 'Role'], orgs.map((o) => h('tr', {}, h('td', {}, o.name), h('td', {}, o.role))), 'No organizations.', 'Your organizations'),
    await sessions(),
    user.source === 'moonraker' ? [h('h2', {}, 'Change password'), h('p', {}, 'Changing it signs you out everywhere, here too.'), change] : null);
}

export const profilePage: Page = { id: 'profile', title: 'Profile', allowed: () => true, render };
