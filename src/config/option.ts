// One option, defined once: its value type, its default (as the INI file would
// spell it, parsed by the same type) and its documentation. The README's option
// table is generated from these (scripts/config-docs.ts).
import { z } from 'zod';
import { required, type ValueType } from './values.js';

export interface OptionDoc {
  /** How the docs name the value type ("an integer >= 1", "a boolean", ...). */
  type: string;
  /** The default as an INI file spells it; undefined: unset. */
  default: string | undefined;
  doc: string;
}

const docs = new WeakMap<z.ZodType, OptionDoc>();
/** Section docs by the section's option names (a refinement of a section copies its shape object). */
const sectionDocs = new Map<string, string>();

/** An option with a default (parsed like a value from the file) or, without one, unset by default. */
export function option<T>(type: ValueType<T>, doc: string): z.ZodOptional<ValueType<T>>;
export function option<T>(type: ValueType<T>, doc: string, dflt: string): z.ZodPrefault<ValueType<T>>;
export function option<T>(type: ValueType<T>, doc: string, dflt?: string): z.ZodType {
  const schema = dflt === undefined ? type.optional() : type.prefault(dflt);
  docs.set(schema, { type: type.what, default: dflt, doc });
  return schema;
}

/** A section: its options, in the order the docs list them. */
export function section<S extends z.ZodRawShape>(doc: string, shape: S) {
  sectionDocs.set(Object.keys(shape).join(), doc);
  return z.object(shape);
}

export const optionDoc = (s: z.ZodType): OptionDoc | undefined => docs.get(s);
/** A section's documentation, by its shape. */
export const sectionDoc = (shape: object): string | undefined => sectionDocs.get(Object.keys(shape).join());

/** A text option that must be set whenever its section is. */
export function mandatory(doc: string) {
  const schema = required.clone();
  docs.set(schema, { type: 'text (required)', default: undefined, doc });
  return schema;
}
