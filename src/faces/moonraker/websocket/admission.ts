// Who may hold a websocket (issue 17 finding 6): a global cap kept below the
// process's descriptor limit, a cap per client address on open sockets and on
// unauthenticated ones, and a deadline to authenticate. The [limits] options:
// ws_max_connections, ws_max_connections_per_ip, ws_max_unauthenticated_per_ip,
// ws_auth_timeout_seconds.
import { readFileSync } from 'node:fs';
import type { Config } from '../../../config/schema.js';
import type { MoonrakerCode } from '../errors.js';

/** What admission tracks of a connection (websocket/connection.ts holds the fields). */
export interface Admitted {
  readonly ip: string;
  /** When it became unauthenticated (ms, monotonic); -1 while authenticated. */
  unauthSince: number;
  /** Counted in the per-address tallies (from accept until close). */
  tracked: boolean;
}

interface Tally { open: number; unauth: number }

/**
 * The process's open-file limit (Node raises the soft limit to the hard one at
 * start-up), from /proc/self/limits; undefined where that cannot be read.
 */
export function descriptorLimit(read = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(read());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sockets the descriptor limit leaves room for: the limit less a reserve (HTTP, the store, logs, threads) of a quarter, at least 128. */
export function socketsWithin(fdLimit: number | undefined): number {
  if (fdLimit === undefined) return Infinity;
  return Math.max(1, fdLimit - Math.max(128, Math.floor(fdLimit / 4)));
}

export class Admission {
  private perIp = new Map<string, Tally>();
  /** Connections not authenticated now, oldest first (for the deadline). */
  readonly unauthenticated = new Set<Admitted>();
  /** The global cap: ws_max_connections, and never past what the descriptor limit leaves room for. */
  readonly maxConnections: number;

  constructor(private l: Config['limits'], fdLimit = descriptorLimit()) {
    this.maxConnections = Math.min(l.ws_max_connections, socketsWithin(fdLimit));
  }

  /** Why an upgrade from `ip` is refused now (`authenticated`: the upgrade carried a good credential), or undefined. */
  refusal(ip: string, authenticated: boolean, size: number): MoonrakerCode | undefined {
    if (size >= this.maxConnections) return 'WS_FULL';
    const t = this.perIp.get(ip);
    if (!t) return undefined;
    if (this.l.ws_max_connections_per_ip && t.open >= this.l.ws_max_connections_per_ip) return 'WS_IP_FULL';
    if (!authenticated && this.l.ws_max_unauthenticated_per_ip && t.unauth >= this.l.ws_max_unauthenticated_per_ip) return 'WS_IP_UNAUTHENTICATED';
    return undefined;
  }

  /** Counts an accepted connection; true when it is over a cap (upgrades checked at the same moment may overshoot). */
  add(c: Admitted): boolean {
    let t = this.perIp.get(c.ip);
    if (!t) this.perIp.set(c.ip, (t = { open: 0, unauth: 0 }));
    c.tracked = true;
    t.open++;
    if (c.unauthSince >= 0) {
      t.unauth++;
      this.unauthenticated.add(c);
    }
    return (!!this.l.ws_max_connections_per_ip && t.open > this.l.ws_max_connections_per_ip)
      || (c.unauthSince >= 0 && !!this.l.ws_max_unauthenticated_per_ip && t.unauth > this.l.ws_max_unauthenticated_per_ip);
  }

  /** The connection (un)authenticated: its deadline starts when it becomes unauthenticated. */
  authChanged(c: Admitted, authenticated: boolean, now: number): void {
    const was = c.unauthSince < 0;
    if (was === authenticated) return;
    c.unauthSince = authenticated ? -1 : now;
    if (!c.tracked) return;
    const t = this.perIp.get(c.ip)!;
    t.unauth += authenticated ? -1 : 1;
    if (authenticated) this.unauthenticated.delete(c);
    else this.unauthenticated.add(c);
  }

  remove(c: Admitted): void {
    if (!c.tracked) return;
    c.tracked = false;
    const t = this.perIp.get(c.ip)!;
    t.open--;
    if (c.unauthSince >= 0) t.unauth--;
    this.unauthenticated.delete(c);
    if (t.open <= 0) this.perIp.delete(c.ip);
  }

  /** Connections unauthenticated for ws_auth_timeout_seconds or more (none when it is 0). */
  *overdue(now: number): Generator<Admitted> {
    const ms = this.l.ws_auth_timeout_seconds * 1000;
    if (!ms) return;
    for (const c of this.unauthenticated) if (now - c.unauthSince >= ms) yield c;
  }
}
