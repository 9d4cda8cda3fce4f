// The one limiter in front of every password check, on every face (Moonraker's
// /access/login and access.login, a password change, Grafana Basic auth and
// POST /login; issue 17 finding 1). Failed checks are rows in the store's
// login_attempts table (shared by instances and by both faces), keyed on the
// resolved account (its login name, lower-cased: a login and an e-mail address
// of one account are one budget) and on the client address. A face brings its
// rules ([limits] login_attempts_per_user / _per_ip, and on the Grafana face
// also Grafana's brute-force rule); an account or address with `limit`
// failures within a rule's window is refused before any hashing, even with the
// right password, until enough of them age out.
//
// Attempts still being checked count too: each takes a place (synchronously)
// before the store is read, so a concurrent burst cannot slip past the check
// before the first failure is recorded. Places are held until the attempt is
// settled. At most `maxInFlight` checks are held at once (the hash queue's
// bound): excess attempts are refused (LOGIN_BUSY), not queued.
import { boundedCache } from '../cache.js';
import { fail } from '../errors.js';
import type { Store } from '../../store/types.js';

export type LockScope = 'user' | 'ip';

/** One rule: `limit` failures per account or address within `windowSeconds`; `origin` names the option set. */
export interface LoginRule { scope: LockScope; limit: number; windowSeconds: number; origin: 'limits' | 'grafana' }

export interface LoginTicket {
  /** The password was wrong (or the account unknown): record it; returns the rules whose lock this failure started. */
  failed(): Promise<LoginRule[]>;
  /** The password was right; `reset`: the account's failure count starts over. */
  succeeded(o?: { reset?: boolean }): Promise<void>;
  /** Neither (a malformed request, a source that is down): forget the attempt. */
  release(): void;
}

export interface LimiterOptions {
  /** Password checks held at once (0: no bound). */
  maxInFlight: number;
  /** How long failures are kept in the store (at least the longest window). */
  keepSeconds: number;
}

const PRUNE_EVERY_MS = 60_000;
const keyOf = (scope: LockScope, v: string) => (scope === 'user' ? 'u\0' : 'i\0') + v;

/** A limiter's refusal: LOGIN_LOCKED_USER / LOGIN_LOCKED_IP (429) with the rule that refused. */
export const lockedError = (r: LoginRule) => fail(r.scope === 'user' ? 'LOGIN_LOCKED_USER' : 'LOGIN_LOCKED_IP', { scope: r.scope, seconds: r.windowSeconds, origin: r.origin });

export class LoginLimiter {
  private pending = new Map<string, number>();
  /** Failures this process recorded (timestamps), for checks that do not read the store (cached Basic auth). */
  private recent = boundedCache<string, number[]>(100_000);
  private reported = new Map<string, number>();
  private lastPrune = 0;
  private inFlight = 0;

  constructor(private store: Store, private o: LimiterOptions) {}

  /** Throws LOGIN_LOCKED_* when a rule is at its limit, LOGIN_BUSY when too many checks are held; otherwise holds one attempt until settled. */
  async begin(account: string, ip: string | undefined, rules: readonly LoginRule[]): Promise<LoginTicket> {
    if (this.o.maxInFlight && this.inFlight >= this.o.maxInFlight) throw fail('LOGIN_BUSY');
    const user = account.trim().toLowerCase();
    const active = rules.filter((r) => r.limit > 0 && (r.scope === 'user' || ip !== undefined));
    const keys = [keyOf('user', user), ...(ip !== undefined ? [keyOf('ip', ip)] : [])];
    // Take a place in line first (synchronously), then look at the store: an
    // attempt counts every failure recorded plus every attempt ahead of it.
    this.inFlight++;
    const places = new Map(keys.map((k) => [k, this.hold(k)]));
    let open = true;
    const release = () => {
      if (!open) return;
      open = false;
      this.inFlight--;
      for (const k of keys) this.drop(k);
    };
    let storedForUser = 0;
    try {
      const counts = await this.counts(user, ip, active, Date.now());
      for (const [i, r] of active.entries()) {
        const [byUser, byIp] = counts[i]!;
        storedForUser = Math.max(storedForUser, byUser);
        const place = places.get(keyOf(r.scope, r.scope === 'user' ? user : ip!))!;
        if ((r.scope === 'user' ? byUser : byIp) + place > r.limit) throw lockedError(r);
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
          for (const k of keys) this.recent.set(k, [...this.fresh(k, now, this.o.keepSeconds), now]);
          this.maybePrune(now);
          // Which rules did this failure just bring to their limit?
          const counts = await this.counts(user, ip, active, now);
          return active.filter((r, i) => {
            const n = counts[i]![r.scope === 'user' ? 0 : 1];
            return n >= r.limit && this.firstReport(`${r.origin}\0${keyOf(r.scope, r.scope === 'user' ? user : ip!)}`, r, now);
          });
        } finally {
          release();
        }
      },
      succeeded: async (o = {}) => {
        if (!open) return;
        try {
          if (!o.reset) return;
          this.recent.delete(keyOf('user', user));
          // Nothing to clear when no failure was on record as it began (one write fewer per login).
          if (storedForUser > 0) await this.store.loginAttempts.resetUsername(user);
        } finally {
          release();
        }
      },
      release,
    };
  }

  /**
   * The rule that refuses a check that reads no store (a cached Basic-auth
   * pair), from this process's memory: failures it recorded plus attempts in flight.
   */
  lockedNow(account: string, ip: string | undefined, rules: readonly LoginRule[]): LoginRule | undefined {
    const now = Date.now();
    for (const r of rules) {
      if (r.limit <= 0 || (r.scope === 'ip' && ip === undefined)) continue;
      const k = keyOf(r.scope, r.scope === 'user' ? account.trim().toLowerCase() : ip!);
      if (this.fresh(k, now, r.windowSeconds).length + (this.pending.get(k) ?? 0) >= r.limit) return r;
    }
    return undefined;
  }

  private fresh(key: string, now: number, windowSeconds: number): number[] {
    return (this.recent.get(key) ?? []).filter((t) => t > now - windowSeconds * 1000);
  }

  /** [failures for the account, for the address] on record within each rule's window (one query per distinct window). */
  private async counts(user: string, ip: string | undefined, rules: readonly LoginRule[], now: number): Promise<[number, number][]> {
    const byWindow = new Map<number, Promise<[number, number]>>();
    const get = (w: number) => {
      let p = byWindow.get(w);
      if (!p) byWindow.set(w, (p = this.stored(user, ip, now - w * 1000)));
      return p;
    };
    return Promise.all(rules.map((r) => get(r.windowSeconds)));
  }

  private async stored(user: string, ip: string | undefined, since: number): Promise<[number, number]> {
    if (ip === undefined) return [await this.store.loginAttempts.countByUsername(user, since), 0];
    const c = await this.store.loginAttempts.counts(user, ip, since);
    return [c.username, c.ip];
  }

  /** One lockout report per rule and account or address per window. */
  private firstReport(key: string, r: LoginRule, now: number): boolean {
    const until = this.reported.get(key);
    if (until !== undefined && until > now) return false;
    this.reported.set(key, now + r.windowSeconds * 1000);
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

  /** Failures older than every window are deleted (whichever face recorded them), at most once a minute. */
  private maybePrune(now: number) {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    for (const [k, until] of this.reported) if (until <= now) this.reported.delete(k);
    void this.store.loginAttempts.prune(now - this.o.keepSeconds * 1000).catch(() => {});
  }
}
