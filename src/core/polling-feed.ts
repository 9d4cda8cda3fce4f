// Instances (and the CLI) sharing one store, without a message channel: every
// publish writes a fresh generation stamp to the store, and each instance polls
// it; a stamp it did not write means another process changed something it cannot
// name, so its subscribers reload everything ({kind: 'all'}). Where the store
// can tell cheaply that nothing was written (SQLite: PRAGMA data_version), a poll
// reads nothing. A LISTEN/NOTIFY feed on PostgreSQL replaces this one and
// delivers the Changes themselves.
import { randomBytes } from 'node:crypto';
import type { Change, ChangeFeed } from './changes.js';

const GENERATION = 'store_generation';

export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export function pollingFeed(settings: SettingsStore, o: { intervalMs?: number; onError?: (err: unknown) => void; mayHaveChanged?: () => Promise<boolean> } = {}): ChangeFeed & { poll(): Promise<boolean>; load(): Promise<void> } {
  const handlers = new Set<(c: Change) => Promise<void>>();
  let generation: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pending: Promise<void> | undefined;
  const feed = {
    healthy: true,
    /** Takes the current stamp as seen (at start, before the indexes load); the store's "changed?" answer starts from here too. */
    async load() {
      await o.mayHaveChanged?.();
      generation = await settings.get(GENERATION);
    },
    async publish() {
      // Changes published while a stamp is being written share the next one.
      pending ??= Promise.resolve().then(async () => {
        pending = undefined;
        generation = randomBytes(8).toString('base64url');
        await settings.set(GENERATION, generation);
      });
      await pending;
    },
    subscribe(handler: (c: Change) => Promise<void>) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    /** One poll; true when another process had written. */
    async poll(): Promise<boolean> {
      if (o.mayHaveChanged && !(await o.mayHaveChanged())) return false;
      const g = await settings.get(GENERATION);
      if (g === generation) return false;
      generation = g;
      for (const h of handlers) await h({ kind: 'all' });
      return true;
    },
    start() {
      timer = setInterval(() => void feed.poll().then(() => { feed.healthy = true; }, (err) => {
        feed.healthy = false;
        o.onError?.(err);
      }), o.intervalMs ?? 1000);
      timer.unref();
    },
    stop() { clearInterval(timer); },
  };
  return feed;
}
