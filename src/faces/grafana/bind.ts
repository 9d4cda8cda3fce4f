// Request bodies as Grafana's web.Bind reads them: JSON into a Go struct, so
// absent and null fields take their zero value, unknown fields are ignored and a
// value of the wrong type (a string for an int, 1.5 for an int) fails the bind.
import { z } from 'zod';

export const goString = z.string().nullish().transform((v) => v ?? '');
export const goInt = z.number().int().nullish().transform((v) => v ?? 0);
export const goBool = z.boolean().nullish().transform((v) => v ?? false);
/** A field whose absence the handler must tell apart from its zero value (PATCH bodies). */
export const optString = z.string().nullish().transform((v) => v ?? undefined);
export const optBool = z.boolean().nullish().transform((v) => v ?? undefined);

export const goStruct = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

/**
 * A struct whose JSON keys Go matches case-insensitively (encoding/json does:
 * `OrgId` binds `orgId`); an exact key wins over a folded one.
 */
export const goStructFold = <T extends z.ZodRawShape>(shape: T) => {
  const names = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  return z.preprocess((raw) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      const name = names.get(k.toLowerCase());
      if (name === undefined) continue;
      if (name === k || !(name in out)) out[name] = v;
    }
    return out;
  }, z.looseObject(shape));
};
