/// <reference lib="dom" />
// Moonraker's global API key: shown on request, rotated after a confirmation.
import { api } from '../api.js';
import { h } from '../dom.js';
import { confirmButton, messages } from '../form.js';
import { isServerAdmin, type Page } from '../page.js';

async function render(): Promise<Node> {
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
  return h('div', {},
    h('p', {}, 'Clients send this key as X-Api-Key on the Moonraker face. Rotating it stops the old key at once.'),
    h('p', {}, value), h('p', {}, show, ' ', rotate), done, msg.el);
}

export const moonrakerPage: Page = { id: 'moonraker', title: 'Moonraker API key', allowed: isServerAdmin, render };
