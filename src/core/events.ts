// Domain events this process's writes emit (websocket notifications listen).
import { EventEmitter } from 'node:events';

export interface CoreEvents {
  user_created: [{ username: string }];
  user_deleted: [{ username: string; userId: number }];
  user_logged_out: [{ username: string; userId: number }];
  /** Another process changed the store; the indexes were reloaded from it. */
  reloaded: [];
}

export type DomainEvent = { [K in keyof CoreEvents]: { name: K; args: CoreEvents[K] } }[keyof CoreEvents];

export class CoreEventBus extends EventEmitter<CoreEvents> {
  /** Told each event this process emits (not those heard from other instances): the change feed forwards them. */
  forward: ((e: DomainEvent) => void) | undefined;

  emitEvent(e: DomainEvent, o: { remote?: boolean } = {}): void {
    (this.emit as (name: string, ...args: unknown[]) => boolean)(e.name, ...e.args);
    if (!o.remote) this.forward?.(e);
  }
}
