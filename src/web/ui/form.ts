/// <reference lib="dom" />
// Forms, confirmations and the show-once secret box shared by the pages.
import { ApiError } from './api.js';
import { h, type Field } from './dom.js';

/** Thrown by a submit handler to put its message beside one field. */
export class FieldError extends Error {
  constructor(readonly field: Field<HTMLInputElement | HTMLSelectElement>, message: string) { super(message); }
}

export interface FormOptions {
  label: string;
  fields: Field<HTMLInputElement | HTMLSelectElement>[];
  submit: string;
  /** Fields that must not be empty. */
  required?: Field<HTMLInputElement | HTMLSelectElement>[];
  /** Which field a server's refusal is about (shown beside it), judged by its message. */
  errorField?(message: string): Field<HTMLInputElement | HTMLSelectElement> | undefined;
  onSubmit(): Promise<void>;
}

/** A labelled form: empty required fields and a FieldError show beside their field, other errors beside the button. */
export function form(o: FormOptions): HTMLFormElement {
  const button = h('button', { type: 'submit' }, o.submit);
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const f: HTMLFormElement = h('form', { 'aria-label': o.label, novalidate: true, onsubmit: async (ev: Event) => {
    ev.preventDefault();
    for (const x of o.fields) x.error('');
    error.hidden = true;
    const empty = (o.required ?? []).filter((x) => !x.input.value.trim());
    for (const x of empty) x.error('Required');
    if (empty.length) return empty[0]!.input.focus();
    button.disabled = true;
    try {
      await o.onSubmit();
    } catch (e) {
      const about = e instanceof FieldError ? e.field : e instanceof ApiError && e.status < 500 ? o.errorField?.(e.message) : undefined;
      if (about) {
        about.error((e as Error).message);
        about.input.focus();
      } else if (!(e instanceof ApiError && e.status === 401)) {
        error.textContent = (e as Error).message;
        error.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  } }, h('div', { class: 'row' }, o.fields.map((x) => x.wrap), h('div', { class: 'actions' }, button)), error);
  return f;
}

/** A Delete button that asks first, in place ("Delete x?" Yes / Cancel). */
export function confirmButton(label: string, what: string, run: () => Promise<void>, onError: (e: Error) => void): HTMLElement {
  const box = h('span', { class: 'confirm' });
  const ask = () => {
    const yes = h('button', { type: 'button', class: 'danger', onclick: async () => {
      yes.disabled = true;
      try { await run(); } catch (e) { onError(e as Error); }
      reset();
    } }, `Yes, ${label.toLowerCase()}`);
    box.replaceChildren(h('span', {}, `${label} ${what}?`), yes,
      h('button', { type: 'button', onclick: () => reset() }, 'Cancel'));
    yes.focus();
  };
  const reset = () => box.replaceChildren(h('button', { type: 'button', class: 'danger', 'aria-label': `${label} ${what}`, onclick: ask }, label));
  reset();
  return box;
}

/** A secret shown once: the value, a copy button and the warning. */
export function secretBox(title: string, value: string): HTMLElement {
  const code = h('code', { id: 'secret-value' }, value);
  const copied = h('span', { role: 'status' });
  return h('section', { class: 'notice', 'aria-label': title },
    h('h2', {}, title),
    h('p', { class: 'warning' }, 'Copy it now: it is shown only once and cannot be shown again.'),
    code, ' ',
    h('button', { type: 'button', onclick: async () => {
      try {
        await navigator.clipboard.writeText(value);
        copied.textContent = 'Copied';
      } catch {
        getSelection()?.selectAllChildren(code);
        copied.textContent = 'Selected: press Ctrl+C to copy';
      }
    } }, 'Copy'), ' ', copied);
}

/** A page-level message area. */
export function messages() {
  const el = h('p', { class: 'error', role: 'alert', hidden: true });
  return { el, show(e: Error) { el.textContent = e.message; el.hidden = false; }, clear() { el.hidden = true; } };
}
