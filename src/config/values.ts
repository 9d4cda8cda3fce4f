// The value types of options. Each accepts the raw string of an INI file or an
// environment variable, or (from a library embedding) the typed value itself,
// and yields the typed value. Failures read `expected <what>, got "<raw>"`; the
// loader prefixes where the value came from and which option it is.
import { isIP } from 'node:net';
import { z } from 'zod';

/** An option's value type: its schema and how the docs name it. */
export type ValueType<T> = z.ZodType<T, T | string> & { readonly what: string };

/** A type that parses strings with `parse` and takes values that `accept` already. */
function scalar<T>(what: string, parse: (s: string) => T | undefined, accept: (v: unknown) => T | undefined): ValueType<T> {
  const schema = z.unknown().transform((v, ctx) => {
    const out = typeof v === 'string' ? parse(v) : accept(v);
    if (out === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return out;
  });
  return Object.assign(schema as unknown as z.ZodType<T, T | string>, { what });
}

/** Any text. */
export const text = scalar('text', (s) => s, () => undefined);

/** A required text option. */
export const required = Object.assign(z.string({ error: () => 'is required' }) as unknown as z.ZodType<string, string>, { what: 'text' });

const BOOLS = new Map([
  ['true', true], ['yes', true], ['on', true], ['1', true],
  ['false', false], ['no', false], ['off', false], ['0', false],
]);
/** configparser's boolean words in any case (Moonraker writes `True`). */
export const bool = scalar('a boolean', (s) => BOOLS.get(s.toLowerCase()), (v) => (typeof v === 'boolean' ? v : undefined));

export function int(range: { min?: number; max?: number } = {}) {
  const { min = -Infinity, max = Infinity } = range;
  const what = range.min !== undefined && range.max !== undefined ? `an integer from ${min} to ${max}`
    : range.min !== undefined ? `an integer >= ${min}`
    : range.max !== undefined ? `an integer <= ${max}` : 'an integer';
  const ok = (n: number) => (Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined);
  return scalar(what, (s) => ok(/^[+-]?\d+$/.test(s) ? Number(s) : NaN), (v) => (typeof v === 'number' ? ok(v) : undefined));
}

export const port = int({ min: 0, max: 65535 });

/** A number above zero (fractions allowed), at most `max`. */
export function positiveNumber(max: number) {
  const ok = (n: number) => (Number.isFinite(n) && n > 0 && n <= max ? n : undefined);
  return scalar(`a number > 0 and <= ${max}`, (s) => (/^\d+(\.\d+)?$/.test(s) ? ok(Number(s)) : undefined), (v) => (typeof v === 'number' ? ok(v) : undefined));
}

// Every duration is bounded at input (issue 17 finding 8): a date past the year
// 9999 or a timer past Node's bound breaks far from where it was set.
/** The longest duration an option takes, in seconds: 100 years. */
export const MAX_DURATION_S = 100 * 365 * 86400;
/** The longest timer Node runs (setTimeout's bound, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** One of `values`, matched case-insensitively, returned as written in `values`. */
export function choice<const T extends readonly string[]>(values: T): ValueType<T[number]> {
  const find = (s: string) => values.find((v) => v.toLowerCase() === s.toLowerCase());
  return scalar(`one of ${values.join(', ')}`, find, (v) => (typeof v === 'string' ? find(v) : undefined));
}

const SECONDS: Record<string, number> = {
  ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600,
  d: 86400, w: 7 * 86400, M: 30 * 86400, y: 365 * 86400,
};

/**
 * Grafana's duration syntax (gtime.ParseDuration), in whole seconds: "7d",
 * "2w", "1M" (30 days), "1y" (365 days), or a Go duration like "10m", "1h30m".
 */
export function parseDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const calendar = /^(\d+)([dwMy])$/.exec(s);
  if (calendar) return Number(calendar[1]) * SECONDS[calendar[2]!]!;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const [, n, , unit] of s.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * SECONDS[unit!]!;
  return Math.round(total);
}

const boundedDuration = (n: number | undefined) => (n !== undefined && n <= MAX_DURATION_S ? n : undefined);
/** A duration, in seconds (a number is taken as seconds), at most 100 years. */
export const duration = scalar('a duration like 30s, 10m, 1h or 7d (at most 100y)', (s) => boundedDuration(parseDuration(s)),
  (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? boundedDuration(v) : undefined));

/** Thrown (via `invalid`) by a list entry parser; becomes `invalid entry "<entry>": <why>`. */
class EntryError extends Error {}
export const invalid = (why: string): never => { throw new EntryError(why); };

/**
 * A list with one entry per line, as Moonraker's getlist; with `commas`, entries
 * may also be separated by commas (handy on one line or in an env var). A
 * library passes an array (of strings, or of entries already parsed).
 */
export function list<T = string>(o: { commas?: boolean; entry?: (s: string) => T; accept?: (v: unknown) => T; what?: string } = {}): ValueType<T[]> {
  const schema = z.unknown().transform((raw, ctx) => {
    if (typeof raw !== 'string' && !Array.isArray(raw)) {
      ctx.addIssue({ code: 'custom', message: `expected a list, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    const entries = typeof raw === 'string' ? raw.split(o.commas ? /[\n,]/ : '\n').map((e) => e.trim()).filter(Boolean) : raw;
    const out: T[] = [];
    for (const s of entries) {
      try {
        out.push(typeof s === 'string' ? (o.entry ? o.entry(s) : (s as T)) : o.accept ? o.accept(s) : invalid('expected text'));
      } catch (err) {
        if (!(err instanceof EntryError)) throw err;
        ctx.addIssue({ code: 'custom', message: `invalid entry ${JSON.stringify(s)}: ${err.message}` });
      }
    }
    return out;
  });
  return Object.assign(schema as unknown as z.ZodType<T[], T[] | string>, { what: o.what ?? (o.commas ? 'a list (one per line or comma-separated)' : 'a list (one per line)') });
}

/** An IP address as a number, for host-bit checks. */
function ipToBigInt(ip: string, family: 4 | 6): bigint {
  if (family === 4) return ip.split('.').reduce((n, octet) => (n << 8n) | BigInt(octet), 0n);
  let addr = ip.split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr)?.[1]; // ::ffff:1.2.3.4
  if (v4) {
    const n = ipToBigInt(v4, 4);
    addr = addr.slice(0, -v4.length) + (n >> 16n).toString(16) + ':' + (n & 0xffffn).toString(16);
  }
  const [head = '', tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

// Moonraker's domain-name regex, `^([a-z0-9]+(-[a-z0-9]+)*\.?)+[a-z]{2,}$`,
// rewritten without nested quantifiers (same language, no catastrophic backtracking).
const DOMAIN = /^[a-z0-9]+(?:[.-][a-z0-9]+)*\.?[a-z]{2,}$/;

/** A trusted_clients entry: an IP, a CIDR network with no host bits set, or a domain name. */
export function trustedClient(s: string): string {
  if (isIP(s)) return s;
  const [addr = '', bits, extra] = s.split('/');
  const family = isIP(addr) as 0 | 4 | 6;
  if (family && bits !== undefined && extra === undefined) {
    const width = family === 4 ? 32 : 128;
    if (!/^\d+$/.test(bits) || Number(bits) > width) invalid(`prefix length must be 0 to ${width}`);
    const hostMask = (1n << BigInt(width - Number(bits))) - 1n;
    if (ipToBigInt(addr, family) & hostMask) invalid('the network has host bits set');
    return s;
  }
  if (DOMAIN.test(s)) return s;
  return invalid('not an IP address, a CIDR network or a (lower-case) domain name');
}

/** A trusted_proxies entry: an IP or a CIDR network with no host bits set (no host names: the peer's address is what is checked). */
export function ipOrNetwork(s: string): string {
  if (!isIP(s.split('/')[0] ?? '')) return invalid('not an IP address or a CIDR network');
  return trustedClient(s);
}

/** A cors_domains entry: `*` may be a wildcard, but never in the top-level domain. */
export function corsDomain(s: string): string {
  if (/^.+\.[^:]*\*/.test(s)) invalid('wildcards are not permitted in the top-level domain');
  if (s.endsWith('/')) invalid('a domain cannot end with "/"');
  return s;
}
