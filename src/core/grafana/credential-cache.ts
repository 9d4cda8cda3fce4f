// Basic auth (user:password) on every API request must not cost an argon2 hash
// each time. Once a pair has verified, a keyed SHA-256 of it under a per-process
// random secret maps to the account for a while: the password itself is never
// stored, and the entry only answers for exactly the same pair. (SHA-256 of
// secret ‖ pair, one-shot: it is computed on every request, and createHmac's
// key set-up cost ~3 µs; a digest that never leaves this process needs no HMAC
// against length extension.)
//
// An entry is dropped when the account changes in any way (its record's
// updatedAt moves: password change, disable, rename), is deleted, or when
// another process changed the store; LDAP accounts are re-checked against the
// directory every minute.
import { randomBytes } from 'node:crypto';
import { sha256b64url } from '../crypto.js';
import type { UserRecord } from '../../store/types.js';

const LOCAL_TTL_MS = 15 * 60_000;
const EXTERNAL_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface Entry { userId: number; updatedAt: number; expiresAt: number }

export class CredentialCache {
  private secret = randomBytes(32).toString('hex');
  private entries = new Map<string, Entry>();
  private byUser = new Map<number, Set<string>>();

  private key(login: string, password: string): string {
    return sha256b64url(`${this.secret}\0${login}\0${password}`);
  }

  /** The account this exact pair verified as, if still current. */
  get(login: string, password: string, resolve: (id: number) => UserRecord | undefined): UserRecord | undefined {
    const k = this.key(login, password);
    const e = this.entries.get(k);
    if (!e) return undefined;
    const user = resolve(e.userId);
    if (!user || e.expiresAt <= Date.now() || user.updatedAt !== e.updatedAt || user.isDisabled) {
      this.drop(k, e.userId);
      return undefined;
    }
    return user;
  }

  put(login: string, password: string, user: UserRecord): void {
    const k = this.key(login, password);
    if (this.entries.size >= MAX_ENTRIES) {
      const [oldest, e] = this.entries.entries().next().value!;
      this.drop(oldest, e.userId);
    }
    const ttl = user.source === 'moonraker' ? LOCAL_TTL_MS : EXTERNAL_TTL_MS;
    this.entries.set(k, { userId: user.id, updatedAt: user.updatedAt, expiresAt: Date.now() + ttl });
    let set = this.byUser.get(user.id);
    if (!set) this.byUser.set(user.id, (set = new Set()));
    set.add(k);
  }

  private drop(k: string, userId: number) {
    this.entries.delete(k);
    const set = this.byUser.get(userId);
    set?.delete(k);
    if (set && !set.size) this.byUser.delete(userId);
  }

  invalidateUser(userId: number): void {
    for (const k of this.byUser.get(userId) ?? []) this.entries.delete(k);
    this.byUser.delete(userId);
  }

  clear(): void {
    this.entries.clear();
    this.byUser.clear();
  }

  get size(): number { return this.entries.size; }
}
