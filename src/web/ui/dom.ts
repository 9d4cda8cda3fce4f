/// <reference lib="dom" />
// A tiny element builder: every string becomes a text node (never HTML), so every
// value the page shows is escaped by construction; no innerHTML anywhere.
export type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown>;

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (k === 'value' || k === 'checked' || k === 'hidden' || k === 'disabled') (el as unknown as Props)[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

let ids = 0;
export const uid = (p: string) => `${p}-${++ids}`;

export interface Field<E extends HTMLInputElement | HTMLSelectElement> {
  wrap: HTMLElement;
  input: E;
  /** Shows a message beside the field (empty: none). */
  error(message: string): void;
}

/** A labelled field with its error beside it. */
export function field<E extends HTMLInputElement | HTMLSelectElement>(label: string, input: E, hint?: string): Field<E> {
  const id = input.id || (input.id = uid('f'));
  const err = h('p', { class: 'field-error', id: `${id}-err`, hidden: true });
  input.setAttribute('aria-describedby', `${id}-err`);
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', {}, hint) : null, err);
  return {
    wrap, input,
    error(message) {
      err.textContent = message;
      err.hidden = !message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

export const select = (options: string[], value?: string) =>
  h('select', {}, options.map((o) => h('option', { value: o, ...(o === value ? { selected: true } : {}) }, o)));

export const when = (ms: number | string | null | undefined, never = 'Never') => {
  if (!ms) return never;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toLocaleString();
};

/** A table, or the empty state when there are no rows. */
export function table(heads: string[], rows: Node[], empty: string, label: string): HTMLElement {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows)));
}
