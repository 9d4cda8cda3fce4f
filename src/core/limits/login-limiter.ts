// Brute-force limits on password checks, per account and per client address,
// on top of Moonraker's own max_login_attempts. Failed attempts are rows in the
// store's login_attempts table (shared by instances behind a load balancer, and
// by both faces: an account's failures count wherever they happen); an account
// or address with `limit` failures in the last `windowSeconds` is locked until
// enough of them age out. The check runs before any password hashing, so a
// locked account refuses even the right password.
//
// Attempts still being checked count too ("pending"), so a burst of concurrent
// guesses cannot all slip past the check before the first failure is recorded.
import type { Store } from '../../store/types.js';
import { fail } from '../errors.js';

/** [limits] login_attempts_per_user / _per_ip (0: no limit) and lockout_seconds. */
export interface LoginLimitOptions { perUser: number; perIp: number; windowSeconds: number }

/** What settle() reports: the lockouts this failure started (for the audit log). */
export type LockScope = 'user' | 'ip';

export interface LoginTicket {
  /** The password was wrong (or the user unknown): record it; returns the locks this failure started. */
  failed(): Promise<LockScope[]>;
  /** The password was right: the account's failure count starts over. */
  succeeded(): Promise<void>;
  /** Neither (a malformed request, a source that is down): forget the attempt. */
  release(): void;
}

const PRUNE_EVERY_MS = 60_000;

export class LoginLimiter {
  private pending = new Map<string, number>();
  private lastPrune = 0;
  private reported = new Map<string, number>();

  constructor(private store: Store, private o: LoginLimitOptions) {}

  get enabled(): boolean { return !!this.o.perUser || !!this.o.perIp; }

  /** Throws LOGIN_LOCKED (429) when the account or address is locked; otherwise holds one attempt until settled. */
  async begin(username: string, ip: string | undefined): Promise<LoginTicket> {
    const user = username.toLowerCase();
    const keys: [LockScope, string, number][] = [];
    if (this.o.perUser) keys.push(['user', 'u\0' + user, this.o.perUser]);
    if (this.o.perIp && ip !== undefined) keys.push(['ip', 'i\0' + ip, this.o.perIp]);
    // Take a place in line first (synchronously), then look at the store: an
    // attempt counts every failure recorded plus every attempt ahead of it.
    const places = keys.map(([, k]) => this.hold(k));
    let open = true;
    const release = () => {
      if (!open) return;
      open = false;
      for (const [, k] of keys) this.drop(k);
    };
    let storedForUser = 0;
    try {
      const since = Date.now() - this.o.windowSeconds * 1000;
      const [byUser, byIp] = await this.stored(user, ip, since);
      storedForUser = byUser;
      for (let i = 0; i < keys.length; i++) {
        const [scope, , limit] = keys[i]!;
        if ((scope === 'user' ? byUser : byIp) + places[i]! > limit) {
          throw fail(scope === 'user' ? 'LOGIN_LOCKED_USER' : 'LOGIN_LOCKED_IP', { scope, seconds: this.o.windowSeconds });
        }
      }
    } catch (err) {
      release();
      throw err;
    }
    return {
      failed: async () => {
        if (!open) return [];
        const now = Date.now();
        try {
          await this.store.loginAttempts.add(user, ip ?? '', now);
          this.maybePrune(now);
          // Which limits did this failure just reach?
          const since = now - this.o.windowSeconds * 1000;
          const started: LockScope[] = [];
          const [byUser, byIp] = await this.stored(user, ip, since);
          if (this.o.perUser && byUser >= this.o.perUser && this.firstReport('u\0' + user, now)) started.push('user');
          if (this.o.perIp && ip !== undefined && byIp >= this.o.perIp && this.firstReport('i\0' + ip, now)) started.push('ip');
          return started;
        } finally {
          release();
        }
      },
      succeeded: async () => {
        if (!open) return;
        try {
          // Nothing to clear when no failure was on record as it began (one write fewer per login).
          if (this.o.perUser && storedForUser > 0) await this.store.loginAttempts.resetUsername(user);
        } finally {
          release();
        }
      },
      release,
    };
  }

  /** Failures on record since `since` for the account and the address (0 where that limit is off), in one query when both count. */
  private async stored(user: string, ip: string | undefined, since: number): Promise<[number, number]> {
    const byUser = !!this.o.perUser, byIp = !!this.o.perIp && ip !== undefined;
    if (byUser && byIp) {
      const c = await this.store.loginAttempts.counts(user, ip!, since);
      return [c.username, c.ip];
    }
    return [
      byUser ? await this.store.loginAttempts.countByUsername(user, since) : 0,
      byIp ? await this.store.loginAttempts.countByIp(ip!, since) : 0,
    ];
  }

  /** One lockout report per account or address per window. */
  private firstReport(key: string, now: number): boolean {
    const until = this.reported.get(key);
    if (until !== undefined && until > now) return false;
    this.reported.set(key, now + this.o.windowSeconds * 1000);
    return true;
  }

  private hold(key: string): number {
    const n = (this.pending.get(key) ?? 0) + 1;
    this.pending.set(key, n);
    return n;
  }

  private drop(key: string) {
    const n = (this.pending.get(key) ?? 1) - 1;
    if (n <= 0) this.pending.delete(key);
    else this.pending.set(key, n);
  }

  private maybePrune(now: number) {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    for (const [k, until] of this.reported) if (until <= now) this.reported.delete(k);
    // Keep at least 10 minutes: the Grafana face reads the same table with its own 5-minute window.
    const keepMs = Math.max(this.o.windowSeconds, 600) * 1000;
    void this.store.loginAttempts.prune(now - keepMs).catch(() => {});
  }
}
