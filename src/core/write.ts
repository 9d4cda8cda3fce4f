// The one write path: run the store write, apply its Changes to this process's
// indexes, publish the Changes to the other instances, and emit its domain events. Every action that writes goes through write(); nothing else
// touches an index.
import type { Change, ChangeFeed } from './changes.js';
import type { CoreEventBus, DomainEvent } from './events.js';

/** An in-memory mirror of part of the store. */
export interface Index {
  load(): Promise<void>;
  /** Re-reads what `change` names (or ignores it). */
  apply(change: Change): Promise<void>;
}

export interface WriteOp<T> {
  run: () => Promise<T>;
  changes: (result: T) => Change[];
  events?: (result: T) => DomainEvent[];
}

export type Write = <T>(op: WriteOp<T>) => Promise<T>;

export function createWriter(indexes: Index[], feed: ChangeFeed, events: CoreEventBus, onError: (err: unknown) => void): { write: Write; apply: (c: Change) => Promise<void> } {
  const apply = async (change: Change) => {
    await Promise.all(indexes.map((i) => (change.kind === 'all' ? i.load() : i.apply(change))));
  };
  const write: Write = async (op) => {
    const result = await op.run();
    const changes = op.changes(result);
    for (const c of changes) await apply(c);
    for (const c of changes) await feed.publish(c).catch(onError);
    // Last: an event's listeners (websocket notifications) send at the next turn of the event
    // loop, after the answer to the request that made the write (nothing is awaited after this).
    for (const e of op.events?.(result) ?? []) events.emitEvent(e);
    return result;
  };
  return { write, apply };
}
