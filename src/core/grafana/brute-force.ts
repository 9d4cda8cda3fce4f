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
import type { Core } from '../core.js';
import type { GrafanaOptions } from './options.js';

export const LOGIN_ATTEMPTS_WINDOW_MS = 5 * 60_000;
const MAX_TRACKED = 100_000;

export class BruteForceGuard {
  private byUser = new Map<string, number[]>();
  private byIp = new Map<string, number[]>();

  constructor(private core: Core, private opts: GrafanaOptions) {}

  get enabled(): boolean { return !this.opts.disableBruteForceLoginProtection; }
  private get ipEnabled(): boolean { return this.enabled && !this.opts.disableIpAddressLoginProtection; }

  private recent(map: Map<string, number[]>, key: string, now: number): number {
    const list = map.get(key);
    if (!list) return 0;
    const fresh = list.filter((t) => t > now - LOGIN_ATTEMPTS_WINDOW_MS);
    if (fresh.length) map.set(key, fresh);
    else map.delete(key);
    return fresh.length;
  }

  /** Is this login locked (failures recorded by any process)? */
  async userBlocked(username: string): Promise<boolean> {
    if (!this.enabled) return false;
    if (this.userBlockedInMemory(username)) return true;
    const since = Date.now() - LOGIN_ATTEMPTS_WINDOW_MS;
    return (await this.core.store.loginAttempts.countByUsername(username.toLowerCase(), since)) >= this.opts.bruteForceLoginProtectionMaxAttempts;
  }

  async ipBlocked(ip: string): Promise<boolean> {
    if (!this.ipEnabled) return false;
    if (this.ipBlockedInMemory(ip)) return true;
    const since = Date.now() - LOGIN_ATTEMPTS_WINDOW_MS;
    return (await this.core.store.loginAttempts.countByIp(ip, since)) >= this.opts.bruteForceLoginProtectionMaxAttempts;
  }

  /** Locked by the failures this process has seen (the store is not read). */
  userBlockedInMemory(username: string): boolean {
    return this.enabled && this.recent(this.byUser, username.toLowerCase(), Date.now()) >= this.opts.bruteForceLoginProtectionMaxAttempts;
  }

  ipBlockedInMemory(ip: string): boolean {
    return this.ipEnabled && this.recent(this.byIp, ip, Date.now()) >= this.opts.bruteForceLoginProtectionMaxAttempts;
  }

  /** A failed password check (basic auth or the login form). */
  async recordFailure(username: string, ip: string): Promise<void> {
    if (!this.enabled) return;
    const user = username.toLowerCase();
    const now = Date.now();
    await this.core.store.loginAttempts.add(user, ip, now);
    for (const [map, key] of [[this.byUser, user], [this.byIp, ip]] as const) {
      map.set(key, [...(map.get(key) ?? []), now]);
      if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
    }
    // The failure that reaches the threshold starts a lockout: audit it once.
    const max = this.opts.bruteForceLoginProtectionMaxAttempts;
    const since = now - LOGIN_ATTEMPTS_WINDOW_MS;
    const seconds = LOGIN_ATTEMPTS_WINDOW_MS / 1000;
    if ((await this.core.store.loginAttempts.countByUsername(user, since)) === max) {
      await this.core.audit.record('lockout', { username, ip, detail: { face: 'grafana', scope: 'user', attempts: max, seconds } });
    }
    if (this.ipEnabled && (await this.core.store.loginAttempts.countByIp(ip, since)) === max) {
      await this.core.audit.record('lockout', { username, ip, detail: { face: 'grafana', scope: 'ip', attempts: max, seconds } });
    }
  }

  /** A successful POST /login starts the count over. */
  async reset(username: string): Promise<void> {
    if (!this.enabled) return;
    const user = username.toLowerCase();
    this.byUser.delete(user);
    await this.core.store.loginAttempts.resetUsername(user);
  }
}
