// What a write changed, as a value: every store write of the core is described
// by Changes, applied to this process's indexes and published to the other
// instances sharing the store (a ChangeFeed). An index applies a Change the same
// way wherever it came from: it re-reads what changed from the store.
import type { DomainEvent } from './events.js';

export type Change =
  | { kind: 'user'; id: number } // created, updated or deleted (its memberships too)
  | { kind: 'families'; userId: number } // login families of a user opened, advanced or revoked
  | { kind: 'moonraker-api-key' }
  | { kind: 'moonraker-key'; name: string } // a named Moonraker API key created or deleted
  | { kind: 'grafana-key'; id: number }
  | { kind: 'org'; id: number } // created, renamed or deleted (with its memberships and keys)
  | { kind: 'web-sessions'; userId: number }
  | { kind: 'bootstrap' }
  /** Something changed that this process cannot name (another process polled): reload everything. */
  | { kind: 'all' };

/** How Changes travel between instances sharing a store. */
export interface ChangeFeed {
  /** Tells the other instances (this one has applied the change already). */
  publish(change: Change): Promise<void>;
  /** Changes made by other instances; returns the unsubscription. */
  subscribe(handler: (change: Change) => Promise<void>): () => void;
  /** Domain events for the other instances' listeners (websocket notifications); where the feed can carry them. */
  publishEvents?(events: DomainEvent[]): Promise<void>;
  /** Other instances' domain events, each after the changes published before it; returns the unsubscription. */
  subscribeEvents?(handler: (e: DomainEvent) => void): () => void;
  /** False while the feed cannot reach the others (changes may be missed until it recovers). */
  readonly healthy: boolean;
  start(): void;
  stop(): void;
}

/** One process (or several cores in one process): publish hands the change to the other subscribers. */
export function memoryFeed(): ChangeFeed {
  const handlers = new Set<(c: Change) => Promise<void>>();
  return {
    healthy: true,
    async publish(change) {
      await Promise.all([...handlers].map((h) => h(change)));
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    start() {},
    stop() {},
  };
}
