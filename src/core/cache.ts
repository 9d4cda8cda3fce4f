// Bounded caches: lru-cache, bounded by a count of entries without allocating
// room for all of them up front (`max` makes lru-cache preallocate its lists;
// a `maxSize` of entries each of size 1 grows them as entries come).
import { LRUCache } from 'lru-cache';

export type BoundedCache<K extends {}, V extends {}> = LRUCache<K, V>;

export function boundedCache<K extends {}, V extends {}>(entries: number, o: Omit<LRUCache.Options<K, V, unknown>, 'max' | 'maxSize' | 'sizeCalculation'> = {}): BoundedCache<K, V> {
  return new LRUCache<K, V>({ ...o, maxSize: entries, sizeCalculation: () => 1 } as LRUCache.Options<K, V, unknown>);
}

/**
 * Looks up in the store what memory lacks (a credential another instance issued a
 * moment ago), without letting unknown credentials become a database flood: a
 * key that matched nothing is remembered (bounded, for `ttlMs`), concurrent
 * lookups of one key share one query, and beyond `maxInFlight` lookups at once
 * the rest are refused without a query (the rate limits in front do the rest).
 */
/** What the store lookups of credentials unknown in memory did, process-wide (metrics). */
export const missStats = { queries: 0, found: 0, negativeHits: 0, shed: 0 };

export function storeMisses<V>(fetch: (key: string) => Promise<V | undefined>, o: { entries?: number; ttlMs?: number; maxInFlight?: number } = {}) {
  const misses = boundedCache<string, true>(o.entries ?? 10_000, { ttl: o.ttlMs ?? 600_000 });
  const inFlight = new Map<string, Promise<V | undefined>>();
  const max = o.maxInFlight ?? 16;
  const stats = missStats;
  const lookup = (key: string): Promise<V | undefined> => {
    if (misses.has(key)) return (stats.negativeHits++, Promise.resolve(undefined));
    const pending = inFlight.get(key);
    if (pending) return pending;
    if (inFlight.size >= max) return (stats.shed++, Promise.resolve(undefined));
    stats.queries++;
    const p = fetch(key).then((v) => {
      if (v === undefined) misses.set(key, true);
      else stats.found++;
      return v;
    }).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };
  return Object.assign(lookup, { forget: (key: string) => misses.delete(key) });
}
