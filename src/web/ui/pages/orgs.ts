/// <reference lib="dom" />
// Organizations: the current org's members and their roles (org Admins), and every
// org (server admins: create, delete).
import { gapi } from '../api.js';
import { field, h, select, table } from '../dom.js';
import { confirmButton, form, messages } from '../form.js';
import { isOrgAdmin, isServerAdmin, type Page, type PageContext } from '../page.js';

interface Member { userId: number; login: string; email: string; role: string }
interface Org { id: number; name: string }
const ROLES = ['Viewer', 'Editor', 'Admin'];

async function members(ctx: PageContext, msg: ReturnType<typeof messages>): Promise<HTMLElement> {
  const list = h('div');
  const refresh = async () => {
    const rows = await gapi<Member[]>('GET', '/api/org/users');
    list.replaceChildren(table(['Login', 'E-mail', 'Role', ''], rows.map((m) => {
      const role = select(ROLES, m.role);
      role.setAttribute('aria-label', `Role of ${m.login}`);
      role.addEventListener('change', () => gapi('PATCH', `/api/org/users/${m.userId}`, { role: role.value }).then(refresh).catch((e) => { msg.show(e); role.value = m.role; }));
      return h('tr', {}, h('td', {}, m.login), h('td', {}, m.email), h('td', {}, role),
        h('td', {}, m.userId === ctx.session.user.id ? null : confirmButton('Remove', `${m.login} from this organization`, async () => {
          await gapi('DELETE', `/api/org/users/${m.userId}`);
          await refresh();
        }, msg.show)));
    }), 'No members.', 'Members'));
  };
  await refresh();
  const who = field('Login or e-mail', h('input', { autocomplete: 'off' }));
  const role = field('Role', select(ROLES, 'Viewer'));
  const add = form({
    label: 'Add member', submit: 'Add member', fields: [who, role], required: [who],
    async onSubmit() {
      await gapi('POST', '/api/org/users', { loginOrEmail: who.input.value.trim(), role: role.input.value });
      who.input.value = '';
      await refresh();
    },
  });
  const org = ctx.session.orgs.find((o) => o.orgId === ctx.session.orgId);
  return h('section', {}, h('h2', {}, `Members of ${org?.name ?? 'this organization'}`), add, list);
}

async function allOrgs(ctx: PageContext, msg: ReturnType<typeof messages>): Promise<HTMLElement> {
  const list = h('div');
  const refresh = async () => {
    const rows = await gapi<Org[]>('GET', '/api/orgs?perpage=1000');
    list.replaceChildren(table(['Organization', ''], rows.map((o) => h('tr', {}, h('td', {}, o.name),
      h('td', {}, o.id === 1 || o.id === ctx.session.orgId ? null : confirmButton('Delete', `organization ${o.name}`, async () => {
        await gapi('DELETE', `/api/orgs/${o.id}`);
        await refresh();
      }, msg.show)))), 'No organizations.', 'All organizations'));
  };
  await refresh();
  const name = field('Organization name', h('input', { autocomplete: 'off' }));
  const add = form({
    label: 'Create organization', submit: 'Create organization', fields: [name], required: [name],
    async onSubmit() {
      await gapi('POST', '/api/orgs', { name: name.input.value.trim() });
      name.input.value = '';
      await refresh();
      ctx.rerender();
    },
  });
  return h('section', {}, h('h2', {}, 'All organizations'), add, list);
}

async function render(ctx: PageContext): Promise<Node> {
  const msg = messages();
  return h('div', {}, msg.el, isOrgAdmin(ctx.session) ? await members(ctx, msg) : null, isServerAdmin(ctx.session) ? await allOrgs(ctx, msg) : null);
}

export const orgsPage: Page = { id: 'orgs', title: 'Organizations', allowed: (s) => isOrgAdmin(s) || isServerAdmin(s), render };
