// Bounded caches: lru-cache, bounded by a count of entries without allocating
// room for all of them up front (`max` makes lru-cache preallocate its lists;
// a `maxSize` of entries each of size 1 grows them as entries come).
import { LRUCache } from 'lru-cache';

export type BoundedCache<K extends {}, V extends {}> = LRUCache<K, V>;

export function boundedCache<K extends {}, V extends {}>(entries: number, o: Omit<LRUCache.Options<K, V, unknown>, 'max' | 'maxSize' | 'sizeCalculation'> = {}): BoundedCache<K, V> {
  return new LRUCache<K, V>({ ...o, maxSize: entries, sizeCalculation: () => 1 } as LRUCache.Options<K, V, unknown>);
}
