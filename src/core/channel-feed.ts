// The ChangeFeed over a store's message channel (PostgreSQL's LISTEN/NOTIFY):
// each Change itself travels, so another instance applies exactly what changed,
// within milliseconds, instead of polling. While the listening connection is down
// the feed is not healthy (the auth layer answers 503 rather than trust caches
// that may be stale); once it is back, subscribers reload everything ({kind:
// 'all'}) before the feed is healthy again.
import { randomBytes } from 'node:crypto';
import type { Change, ChangeFeed } from './changes.js';
import type { DomainEvent } from './events.js';
import type { StoreChannel } from '../store/types.js';

const PUBLISH_TRIES = 3;
const CONNECT_TIMEOUT_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ChannelFeedOptions {
  onError?: (err: unknown) => void;
  /** Told when the listening connection is lost or back (logs, metrics). */
  onState?: (up: boolean) => void;
  /** Told each received change's delay from its publication, in ms (clocks of one host or synchronised ones). */
  onLag?: (ms: number) => void;
}

/** One message on the channel: its origin, when it was sent, and a Change or domain events. */
interface Message { o: string; t: number; c?: Change; e?: DomainEvent[] }

export class ChannelFeed implements ChangeFeed {
  healthy = false;
  private readonly origin = randomBytes(8).toString('base64url');
  private readonly handlers = new Set<(c: Change) => Promise<void>>();
  private readonly eventHandlers = new Set<(e: DomainEvent) => void>();
  /** Changes heard before the first subscriber (between connect() and serve()) wait for it. */
  private waiting: Change[] | undefined = [];
  /** Deliveries in order, one at a time: a reload is never overtaken by an older change. */
  private chain = Promise.resolve();
  private stopListening: (() => Promise<void>) | undefined;
  private connected: Promise<void> | undefined;
  /** Connections made so far: a catch-up begun for an older one does not make the feed healthy. */
  private ups = 0;
  private listening = false;

  constructor(private channel: StoreChannel, private o: ChannelFeedOptions = {}) {}

  publish(change: Change): Promise<void> { return this.send({ o: this.origin, t: Date.now(), c: change }); }

  publishEvents(events: DomainEvent[]): Promise<void> { return this.send({ o: this.origin, t: Date.now(), e: events }); }

  subscribeEvents(handler: (e: DomainEvent) => void): () => void {
    this.eventHandlers.add(handler);
    return () => this.eventHandlers.delete(handler);
  }

  private async send(m: Message): Promise<void> {
    const text = JSON.stringify(m);
    for (let i = 1; ; i++) {
      try {
        return await this.channel.send(text);
      } catch (err) {
        if (i >= PUBLISH_TRIES) throw err;
        await sleep(100 * i);
      }
    }
  }

  subscribe(handler: (c: Change) => Promise<void>): () => void {
    this.handlers.add(handler);
    const queued = this.waiting;
    this.waiting = undefined;
    for (const c of queued ?? []) this.deliver(c);
    return () => this.handlers.delete(handler);
  }

  /** Starts listening; resolves once the channel is heard (call before loading the indexes: nothing is missed between). */
  connect(): Promise<void> {
    this.connected ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the store's change channel did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      this.stopListening = this.channel.listen((text) => this.onMessage(text), (up) => {
        this.o.onState?.(up);
        this.listening = up;
        if (!up) {
          this.healthy = false;
          return;
        }
        if (++this.ups === 1) {
          clearTimeout(timer);
          this.healthy = true;
          return resolve();
        }
        this.catchUp(this.ups);
      });
    });
    return this.connected;
  }

  start(): void { void this.connect().catch((err) => this.o.onError?.(err)); }

  stop(): void {
    this.listening = false;
    this.healthy = false;
    void this.stopListening?.();
    this.stopListening = undefined;
  }

  private deliver(c: Change): void {
    if (this.waiting) return void this.waiting.push(c);
    this.chain = this.chain.then(() => Promise.all([...this.handlers].map((h) => h(c)))).then(() => {}, (err) => {
      // Not applied (the store was unreachable): the caches may be stale until a reload succeeds.
      this.o.onError?.(err);
      this.healthy = false;
      this.catchUp(this.ups);
    });
  }

  private onMessage(text: string): void {
    let m: Message;
    try {
      m = JSON.parse(text) as Message;
    } catch (err) {
      return this.o.onError?.(err);
    }
    if (m.o === this.origin) return; // this instance applied it already
    if (m.c) {
      this.o.onLag?.(Date.now() - m.t);
      this.deliver(m.c);
    }
    // After the changes heard before them (a notification never names what this instance does not know yet).
    if (m.e && !this.waiting) {
      const events = m.e;
      this.chain = this.chain.then(() => { for (const e of events) for (const h of this.eventHandlers) h(e); }).catch((err) => this.o.onError?.(err));
    }
  }

  /** Back after a loss: whatever was said meanwhile is unknown; reload (until it succeeds), then trust again. */
  private catchUp(up: number): void {
    const current = () => up === this.ups && this.listening;
    this.chain = this.chain.then(async () => {
      while (current()) {
        try {
          if (this.waiting) this.waiting.push({ kind: 'all' });
          else await Promise.all([...this.handlers].map((h) => h({ kind: 'all' })));
          break;
        } catch (err) {
          this.o.onError?.(err);
          await sleep(500);
        }
      }
      if (current()) this.healthy = true;
    });
  }
}
