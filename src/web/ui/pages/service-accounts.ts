/// <reference lib="dom" />
// Service accounts of the current org and their tokens (each token shown once).
import { gapi } from '../api.js';
import { field, h, select, table, when } from '../dom.js';
import { confirmButton, form, messages, secretBox } from '../form.js';
import { isOrgAdmin, type Page } from '../page.js';

interface Sa { id: number; name: string; login: string; role: string; tokens: number }
interface Token { id: number; name: string; expiration?: string | null; lastUsedAt?: string | null }

function tokensOf(sa: Sa, onError: (e: Error) => void, onChange: () => Promise<void>): HTMLElement {
  const box = h('section', { class: 'tokens', 'aria-label': `Tokens of ${sa.name}` });
  const list = h('div');
  const created = h('div');
  const refresh = async () => {
    const tokens = await gapi<Token[]>('GET', `/api/serviceaccounts/${sa.id}/tokens`);
    list.replaceChildren(table(['Token', 'Expires', 'Last used', ''], tokens.map((t) => h('tr', {},
      h('td', {}, t.name), h('td', {}, when(t.expiration)), h('td', {}, when(t.lastUsedAt)),
      h('td', {}, confirmButton('Delete', `token ${t.name}`, async () => {
        await gapi('DELETE', `/api/serviceaccounts/${sa.id}/tokens/${t.id}`);
        await refresh();
        await onChange();
      }, onError)))), 'No tokens yet.', `Tokens of ${sa.name}`));
  };
  const name = field('Token name', h('input', { autocomplete: 'off' }));
  const ttl = field('Time to live (seconds, 0 = never expires)', h('input', { type: 'number', min: '0', value: '0' }));
  const add = form({
    label: `Add token to ${sa.name}`, submit: 'Add token', fields: [name, ttl], required: [name],
    errorField: (m) => (/live|ttl|expir/i.test(m) ? ttl : /name|exists/i.test(m) ? name : undefined),
    async onSubmit() {
      const t = await gapi<{ name: string; key: string }>('POST', `/api/serviceaccounts/${sa.id}/tokens`, { name: name.input.value.trim(), secondsToLive: Number(ttl.input.value) || 0 });
      created.replaceChildren(secretBox(`Token ${t.name} created`, t.key));
      name.input.value = '';
      await refresh();
      await onChange();
    },
  });
  void refresh().catch(onError);
  box.append(h('h3', {}, `Tokens of ${sa.name}`), add, created, list);
  return box;
}

async function render(): Promise<Node> {
  const msg = messages();
  const list = h('div');
  const detail = h('div');
  const refresh = async () => {
    const r = await gapi<{ serviceAccounts: Sa[] }>('GET', '/api/serviceaccounts/search?perpage=100');
    list.replaceChildren(table(['Name', 'Role', 'Tokens', ''], r.serviceAccounts.map((sa) => h('tr', {},
      h('td', {}, sa.name), h('td', {}, sa.role), h('td', {}, String(sa.tokens)),
      h('td', {}, h('button', { type: 'button', 'aria-label': `Tokens of ${sa.name}`, onclick: () => detail.replaceChildren(tokensOf(sa, msg.show, refresh)) }, 'Tokens'), ' ',
        confirmButton('Delete', `service account ${sa.name}`, async () => {
          await gapi('DELETE', `/api/serviceaccounts/${sa.id}`);
          detail.replaceChildren();
          await refresh();
        }, msg.show)))), 'No service accounts yet.', 'Service accounts'));
  };
  await refresh();
  const name = field('Service account name', h('input', { autocomplete: 'off' }));
  const role = field('Role', select(['Viewer', 'Editor', 'Admin'], 'Viewer'));
  const add = form({
    label: 'Add service account', submit: 'Add service account', fields: [name, role], required: [name],
    errorField: (m) => (/name|exists/i.test(m) ? name : undefined),
    async onSubmit() {
      const sa = await gapi<Sa>('POST', '/api/serviceaccounts', { name: name.input.value.trim(), role: role.input.value });
      name.input.value = '';
      await refresh();
      detail.replaceChildren(tokensOf({ ...sa, tokens: 0 }, msg.show, refresh));
    },
  });
  return h('div', {}, add, msg.el, list, detail);
}

export const serviceAccountsPage: Page = { id: 'serviceaccounts', title: 'Service accounts', allowed: isOrgAdmin, render };
