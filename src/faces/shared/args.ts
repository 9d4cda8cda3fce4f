// Typed request arguments. Each endpoint declares a zod schema; parseArgs runs
// it and turns the first problem into a CoreError that names the field.
import { z } from 'zod';
import { fail } from '../../core/errors.js';

/** A string argument. Numbers are accepted as their text, as Moonraker's get_str does. */
export const str = (max = 4096) =>
  z.preprocess(
    (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v),
    z.string({ error: 'expected a string' }).max(max, `must be at most ${max} characters`),
  );

export function parseArgs<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.path.map(String).join('.') || '(body)';
  if (issue.code === 'invalid_type' && issue.path.length === 1 && raw[String(issue.path[0])] === undefined) throw fail('MISSING_ARGUMENT', { key });
  throw fail('INVALID_ARGUMENT', { key, why: issue.message });
}
