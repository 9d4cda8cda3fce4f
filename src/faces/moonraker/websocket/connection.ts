// One websocket client. Kept deliberately small (a handful of numbers and
// references, no closures): an instance is meant to hold tens of thousands.
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import type { Identity } from '../../../core/model.js';
import type { WebsocketHub } from './hub.js';

/** What `server.connection.identify` recorded (Moonraker's client_data). */
export interface ClientData {
  name: string;
  version: string;
  type: string;
  url: string;
}

/** What admit() decided for a message. */
export const RUN = 0, REJECT = 1, CLOSE = 2;
export type Admit = typeof RUN | typeof REJECT | typeof CLOSE;

export class Connection {
  /** Who the connection acts as; null when it has not authenticated (or lost it). */
  identity: Identity | null = null;
  /**
   * Moonraker's `_need_auth`: set when the upgrade carried no good credential,
   * or when the connection's user logged out or was deleted. While set, only
   * methods without auth run and no notification is delivered.
   */
  needAuth = false;
  /** Set by a successful identify; identify works once. */
  clientData: ClientData | null = null;
  /** The connection_id the client was told: this id, or in gateway mode the upstream's (methods.ts identify). */
  clientId: number;
  /** Token bucket: tokens left (negative: in debt) and when it was last refilled (ms, monotonic). */
  tokens: number;
  stamp: number;
  /** Cleared at each ping, set by the pong (or any message). */
  alive = true;
  /** Requests running now. */
  inflight = 0;
  /** When it became unauthenticated (ms, monotonic; -1 while authenticated), and whether admission counts it (admission.ts). */
  unauthSince = -1;
  tracked = false;
  /** Of those, forwarded calls waiting on the upstream's answer (gateway mode): they hold no in-flight slot. */
  upstreamWaits = 0;

  constructor(readonly hub: WebsocketHub, readonly ws: WebSocket, readonly id: number, readonly ip: string, burst: number, now: number) {
    this.tokens = burst;
    this.stamp = now;
    this.clientId = id;
  }

  /** Sets the connection's identity (null: unauthenticated); a new identity clears needAuth, as Moonraker's user_info setter. */
  setIdentity(identity: Identity | null): void {
    this.identity = identity;
    this.needAuth = identity === null;
    this.hub.admission.authChanged(this, identity !== null, performance.now());
  }

  /**
   * Charges a message of `cost` entries to the bucket. Within budget: run.
   * Over it: the message is refused and the bucket goes one token into debt
   * (whatever its size: refusing is cheap); a debt beyond `burst` closes.
   */
  admit(cost: number, now: number, perSecond: number, burst: number): Admit {
    this.tokens = Math.min(burst, this.tokens + ((now - this.stamp) * perSecond) / 1000);
    this.stamp = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return RUN;
    }
    this.tokens -= 1;
    return this.tokens < -burst ? CLOSE : REJECT;
  }
}
