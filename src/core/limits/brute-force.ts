// Grafana's brute-force login protection (pkg/services/loginattempt): a login
// (username, case-insensitive) with `brute_force_login_protection_max_attempts`
// failed password checks in the last 5 minutes is refused, even with the right
// password, until enough of them age out. Optionally the same per client address
// (`disable_ip_address_login_protection = false`).
//
// Failures are rows in the store's login_attempts table, shared by instances and
// by both faces. Failures seen by this process are also kept in memory, so a
// request whose credentials are already known good (the basic-auth cache) can
// be checked without reading the store.
import { boundedCache, type BoundedCache } from '../cache.js';
import type { Config } from '../../config/schema.js';
import type { Store } from '../../store/types.js';
import type { Audit } from '../actions/audit.js';

export const LOGIN_ATTEMPTS_WINDOW_MS = 5 * 60_000;

export class BruteForceGuard {
  private byUser = boundedCache<string, number[]>(100_000);
  private byIp = boundedCache<string, number[]>(100_000);

  constructor(private store: Store, private audit: Audit, private c: Config['security']) {}

  get enabled(): boolean { return !this.c.disable_brute_force_login_protection; }
  private get ipEnabled(): boolean { return this.enabled && !this.c.disable_ip_address_login_protection; }
  private get max(): number { return this.c.brute_force_login_protection_max_attempts; }

  private recent(cache: BoundedCache<string, number[]>, key: string, now: number): number {
    const fresh = (cache.get(key) ?? []).filter((t) => t > now - LOGIN_ATTEMPTS_WINDOW_MS);
    if (fresh.length) cache.set(key, fresh);
    else cache.delete(key);
    return fresh.length;
  }

  /** Is this login locked (failures recorded by any process)? */
  async userBlocked(username: string): Promise<boolean> {
    if (!this.enabled) return false;
    if (this.userBlockedInMemory(username)) return true;
    return (await this.store.loginAttempts.countByUsername(username.toLowerCase(), Date.now() - LOGIN_ATTEMPTS_WINDOW_MS)) >= this.max;
  }

  async ipBlocked(ip: string): Promise<boolean> {
    if (!this.ipEnabled) return false;
    if (this.ipBlockedInMemory(ip)) return true;
    return (await this.store.loginAttempts.countByIp(ip, Date.now() - LOGIN_ATTEMPTS_WINDOW_MS)) >= this.max;
  }

  /** Locked by the failures this process has seen (the store is not read). */
  userBlockedInMemory(username: string): boolean {
    return this.enabled && this.recent(this.byUser, username.toLowerCase(), Date.now()) >= this.max;
  }

  ipBlockedInMemory(ip: string): boolean {
    return this.ipEnabled && this.recent(this.byIp, ip, Date.now()) >= this.max;
  }

  /** A failed password check (basic auth or the login form). */
  async recordFailure(username: string, ip: string): Promise<void> {
    if (!this.enabled) return;
    const user = username.toLowerCase();
    const now = Date.now();
    await this.store.loginAttempts.add(user, ip, now);
    this.byUser.set(user, [...(this.byUser.get(user) ?? []), now]);
    this.byIp.set(ip, [...(this.byIp.get(ip) ?? []), now]);
    // The failure that reaches the threshold starts a lockout: audit it once.
    const since = now - LOGIN_ATTEMPTS_WINDOW_MS;
    const detail = (scope: string) => ({ face: 'grafana', scope, attempts: this.max, seconds: LOGIN_ATTEMPTS_WINDOW_MS / 1000 });
    if ((await this.store.loginAttempts.countByUsername(user, since)) === this.max) {
      await this.audit.record('lockout', { username, ip, detail: detail('user') });
    }
    if (this.ipEnabled && (await this.store.loginAttempts.countByIp(ip, since)) === this.max) {
      await this.audit.record('lockout', { username, ip, detail: detail('ip') });
    }
  }

  /** A successful POST /login starts the count over. */
  async reset(username: string): Promise<void> {
    if (!this.enabled) return;
    const user = username.toLowerCase();
    this.byUser.delete(user);
    await this.store.loginAttempts.resetUsername(user);
  }
}
