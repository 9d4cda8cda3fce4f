// Moonraker's max_login_attempts: failed logins per client address, counted in
// memory until a success from that address or a restart; at the limit the
// address gets 401 "Maximum Login Attempts Reached". Bounded: the address that
// failed least recently is forgotten first.
import { boundedCache } from '../cache.js';

export class MaxLoginAttempts {
  private failures = boundedCache<string, number>(100_000);
  constructor(readonly max: number | undefined) {}

  reached(ip: string): boolean {
    return this.max !== undefined && (this.failures.get(ip) ?? 0) >= this.max;
  }

  /** Counts a failure; true when it is the one that reaches the limit. */
  failed(ip: string): boolean {
    const n = (this.failures.get(ip) ?? 0) + 1;
    this.failures.set(ip, n);
    return n === this.max;
  }

  succeeded(ip: string): void { this.failures.delete(ip); }
}
