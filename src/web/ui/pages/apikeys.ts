/// <reference lib="dom" />
// API keys of the current org (Grafana's legacy keys): list, create (shown once), delete.
// With `legacy_api_key_create = gone` no key can be made: the page says so and links
// to service accounts, whose tokens replace them.
import { gapi } from '../api.js';
import { field, h, select, table, when } from '../dom.js';
import { confirmButton, form, messages, secretBox } from '../form.js';
import { isOrgAdmin, type Page, type PageContext } from '../page.js';

interface Key { id: number; name: string; role: string; expiration?: string | null; lastUsedAt?: string | null }

async function render(ctx: PageContext): Promise<Node> {
  const msg = messages();
  const list = h('div');
  const created = h('div');
  const refresh = async () => {
    const keys = await gapi<Key[]>('GET', '/api/auth/keys?includeExpired=true');
    list.replaceChildren(table(['Name', 'Role', 'Expires', 'Last used', ''], keys.map((k) => h('tr', { 'data-key-id': String(k.id) },
      h('td', {}, k.name), h('td', {}, k.role), h('td', {}, when(k.expiration)), h('td', {}, when(k.lastUsedAt)),
      h('td', {}, confirmButton('Delete', `API key ${k.name}`, async () => {
        await gapi('DELETE', `/api/auth/keys/${k.id}`);
        await refresh();
      }, msg.show)))), 'No API keys yet.', 'API keys'));
  };
  await refresh();
  if (ctx.session.apiKeys === 'gone') {
    return h('div', {}, h('p', { class: 'notice' }, 'API keys are now service-account tokens: new keys cannot be created here. ',
      h('a', { href: '#/serviceaccounts' }, 'Create a service account and a token instead.')), msg.el, list);
  }
  const name = field('Key name', h('input', { maxlength: '190', autocomplete: 'off' }));
  const role = field('Role', select(['Viewer', 'Editor', 'Admin'], 'Viewer'));
  const ttl = field('Time to live (seconds, 0 = never expires)', h('input', { type: 'number', min: '0', value: '0' }));
  const add = form({
    label: 'Add API key', submit: 'Add key', fields: [name, role, ttl], required: [name],
    errorField: (m) => (/live|ttl|expir/i.test(m) ? ttl : /name|unique/i.test(m) ? name : undefined),
    async onSubmit() {
      const k = await gapi<{ name: string; key: string }>('POST', '/api/auth/keys', { name: name.input.value.trim(), role: role.input.value, secondsToLive: Number(ttl.input.value) || 0 });
      created.replaceChildren(secretBox(`API key ${k.name} created`, k.key));
      name.input.value = '';
      await refresh();
    },
  });
  return h('div', {}, h('h2', {}, 'Add API key'), add, created, msg.el, h('h2', {}, 'Keys'), list);
}

export const apiKeysPage: Page = { id: 'apikeys', title: 'API keys', allowed: isOrgAdmin, render };
