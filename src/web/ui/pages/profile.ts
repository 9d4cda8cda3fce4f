/// <reference lib="dom" />
// The signed-in user: who, which orgs, and the password change (which ends every
// login of the account, this one too: the page then signs in again).
import { api, toLogin } from '../api.js';
import { field, h, table } from '../dom.js';
import { FieldError, form } from '../form.js';
import type { Page, PageContext } from '../page.js';

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
    user.source === 'moonraker' ? [h('h2', {}, 'Change password'), h('p', {}, 'Changing it signs you out everywhere, here too.'), change] : null);
}

export const profilePage: Page = { id: 'profile', title: 'Profile', allowed: () => true, render };
