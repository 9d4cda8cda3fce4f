// GET /api/users(/search): accounts (no service accounts) matching a query in
// login, email or name, ordered by Grafana's sort options, one page at a time.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import type { User } from '../model.js';

export interface SearchQuery {
  query: string;
  /** Grafana's sort options (`login-asc`, `lastSeenAtAge-desc` …). */
  sort: string[];
  page: number;
  perPage: number;
  /** When the account was last seen (ms), for `lastSeenAtAge`. */
  seen: (u: User) => number;
}

/** Grafana's sortopts, applied in this fixed order whatever order they are given in. */
const SORT_FIELDS = ['login', 'email', 'name', 'lastSeenAtAge'] as const;
type SortField = (typeof SORT_FIELDS)[number];

export const emailOf = (u: User) => u.email ?? u.username;
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

function sorter(sort: string[], seen: (u: User) => number): (a: User, b: User) => number {
  const asked = new Map<SortField, boolean>();
  for (const opt of sort) {
    const m = /^(login|email|name|lastSeenAtAge)-(asc|desc)$/.exec(opt);
    if (!m) throw fail('UNKNOWN_SORT');
    asked.set(m[1] as SortField, m[2] === 'asc');
  }
  if (!asked.size) asked.set('login', true).set('email', true);
  const keys: [(u: User) => string | number, boolean][] = SORT_FIELDS.filter((f) => asked.has(f)).map((f) => {
    const asc = asked.get(f)!;
    if (f === 'lastSeenAtAge') return [(u) => -seen(u), asc]; // a younger age is a later last-seen time
    return [f === 'login' ? (u) => u.username : f === 'email' ? emailOf : (u) => u.name, asc];
  });
  return (a, b) => {
    for (const [key, asc] of keys) {
      const c = cmp(key(a), key(b));
      if (c) return asc ? c : -c;
    }
    return a.id - b.id;
  };
}

export function searchAccounts(ctx: Ctx, q: SearchQuery): { total: number; users: User[] } {
  const order = sorter(q.sort, q.seen);
  const needle = q.query.toLowerCase();
  const hits = ctx.ix.users.list()
    .filter((u) => !needle || [u.username, emailOf(u), u.name].some((f) => f.toLowerCase().includes(needle)))
    .sort(order);
  const start = (q.page - 1) * q.perPage;
  return { total: hits.length, users: hits.slice(start, start + q.perPage) };
}
