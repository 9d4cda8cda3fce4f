/// <reference lib="dom" />
// The audit trail (server admins), newest first, filtered by event, user and time.
import { api } from '../api.js';
import { field, h, select, table, when } from '../dom.js';
import { form } from '../form.js';
import { isServerAdmin, type Page } from '../page.js';

interface Entry { at: number; event: string; username: string | null; ip: string | null; detail: Record<string, unknown> | null }
const EVENTS = ['', 'login_ok', 'login_failed', 'logout', 'token_refresh', 'refresh_reuse_detected', 'user_created', 'user_deleted', 'password_changed',
  'api_key_rotated', 'key_created', 'key_deleted', 'key_used_after_expiry', 'lockout', 'org_created', 'org_deleted', 'service_account_created', 'service_account_deleted'];

async function render(): Promise<Node> {
  const list = h('div');
  const event = field('Event', select(EVENTS));
  const user = field('User', h('input', { autocomplete: 'off' }));
  const since = field('From', h('input', { type: 'datetime-local' }));
  const until = field('To', h('input', { type: 'datetime-local' }));
  const ms = (v: string) => (v ? String(new Date(v).getTime()) : '');
  const refresh = async () => {
    const q = new URLSearchParams({ event: event.input.value, user: user.input.value.trim(), since: ms(since.input.value), until: ms(until.input.value) });
    const rows = await api<Entry[]>('GET', `/audit?${q}`);
    list.replaceChildren(table(['Time', 'Event', 'User', 'Address', 'Detail'], rows.map((e) => h('tr', {},
      h('td', {}, when(e.at)), h('td', {}, e.event), h('td', {}, e.username ?? ''), h('td', {}, e.ip ?? ''), h('td', {}, e.detail ? JSON.stringify(e.detail) : ''))),
    'No entries match.', 'Audit trail'));
  };
  await refresh();
  return h('div', {}, form({ label: 'Filter the audit trail', submit: 'Filter', fields: [event, user, since, until], onSubmit: refresh }), list);
}

export const auditPage: Page = { id: 'audit', title: 'Audit trail', allowed: isServerAdmin, render };
