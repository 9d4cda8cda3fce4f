/// <reference lib="dom" />
// Moonraker: the global API key (shown on request, rotated after a confirmation) and the
// named keys with their scopes (issue 20): list, create (shown once), delete (asks first).
import { api } from '../api.js';
import { field, h, select, table, when } from '../dom.js';
import { confirmButton, form, messages, secretBox } from '../form.js';
import { isServerAdmin, type Page } from '../page.js';

interface NamedKey { name: string; scope: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null }

function globalKey(): Node {
  const msg = messages();
  const value = h('code', { id: 'moonraker-key' }, '••••••••••••••••');
  const show = h('button', { type: 'button', onclick: async () => {
    try {
      value.textContent = (await api<{ key: string }>('GET', '/moonraker/api-key')).key;
    } catch (e) { msg.show(e as Error); }
  } }, 'Show key');
  const done = h('p', { role: 'status' });
  const rotate = confirmButton('Rotate', 'the Moonraker API key', async () => {
    value.textContent = (await api<{ key: string }>('POST', '/moonraker/api-key')).key;
    msg.clear();
    done.textContent = 'Rotated: the old key no longer works.';
  }, msg.show);
  return h('section', { 'aria-label': 'Global API key' }, h('h2', {}, 'Global API key'),
    h('p', {}, 'Clients send this key as X-Api-Key on the Moonraker face. Rotating it stops the old key at once.'),
    h('p', {}, value), h('p', {}, show, ' ', rotate), done, msg.el);
}

async function namedKeys(): Promise<Node> {
  const msg = messages();
  const list = h('div');
  const created = h('div');
  const refresh = async () => {
    const keys = await api<NamedKey[]>('GET', '/moonraker/keys');
    list.replaceChildren(table(['Name', 'Scope', 'Created', 'Expires', 'Last used', ''], keys.map((k) => h('tr', { 'data-key-name': k.name },
      h('td', {}, k.name), h('td', {}, k.scope), h('td', {}, when(k.createdAt)), h('td', {}, when(k.expiresAt)), h('td', {}, when(k.lastUsedAt)),
      h('td', {}, confirmButton('Delete', `Moonraker key ${k.name}`, async () => {
        await api('DELETE', `/moonraker/keys/${encodeURIComponent(k.name)}`);
        created.replaceChildren();
        await refresh();
      }, msg.show)))), 'No named keys yet.', 'Named Moonraker keys'));
  };
  await refresh();
  const name = field('Named key name', h('input', { maxlength: '64', autocomplete: 'off' }));
  const scope = field('Scope', select(['read', 'control', 'admin'], 'read'));
  const ttl = field('Expires in (seconds, empty = never)', h('input', { type: 'number', min: '1' }));
  const add = form({
    label: 'Create named key', submit: 'Create key', fields: [name, scope, ttl], required: [name],
    errorField: (m) => (/expires/i.test(m) ? ttl : /name|exists/i.test(m) ? name : undefined),
    async onSubmit() {
      const seconds = ttl.input.value ? Number(ttl.input.value) : undefined;
      const k = await api<{ name: string; key: string }>('POST', '/moonraker/keys', { name: name.input.value.trim(), scope: scope.input.value, expiresIn: seconds });
      created.replaceChildren(secretBox(`Moonraker key ${k.name} created`, k.key));
      name.input.value = ttl.input.value = '';
      await refresh();
    },
  });
  return h('section', { 'aria-label': 'Named keys' }, h('h2', {}, 'Named keys'),
    h('p', {}, 'Each named key acts with its scope: read, control (also print and move) or admin (everything).'),
    add, created, msg.el, list);
}

async function render(): Promise<Node> {
  return h('div', {}, globalKey(), await namedKeys());
}

export const moonrakerPage: Page = { id: 'moonraker', title: 'Moonraker keys', allowed: isServerAdmin, render };
