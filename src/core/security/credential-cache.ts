// Basic auth (user:password) on every API request must not cost an argon2 hash
// each time. Once a pair has verified, a keyed SHA-256 of it under a per-process
// random secret maps to the account for a while: the password itself is never
// stored, and the entry only answers for exactly the same pair. An entry is
// refused once the account changed in any way (its updatedAt moved: password
// change, disable, rename) or is gone; LDAP accounts are re-checked against the
// directory every minute.
import { randomBytes } from 'node:crypto';
import { boundedCache } from '../cache.js';
import type { User } from '../model.js';
import { sha256b64url } from './crypto.js';

const LOCAL_TTL_MS = 15 * 60_000;
const EXTERNAL_TTL_MS = 60_000;

interface Entry { userId: number; updatedAt: number }

export class CredentialCache {
  private secret = randomBytes(32).toString('hex');
  private entries = boundedCache<string, Entry>(10_000);

  private key(login: string, password: string): string {
    return sha256b64url(`${this.secret}\0${login}\0${password}`);
  }

  /** The account this exact pair verified as, if still current. */
  get(login: string, password: string, resolve: (id: number) => User | undefined): User | undefined {
    const k = this.key(login, password);
    const e = this.entries.get(k);
    if (!e) return undefined;
    const user = resolve(e.userId);
    if (!user || user.updatedAt !== e.updatedAt || user.isDisabled) {
      this.entries.delete(k);
      return undefined;
    }
    return user;
  }

  put(login: string, password: string, user: User): void {
    this.entries.set(this.key(login, password), { userId: user.id, updatedAt: user.updatedAt }, { ttl: user.source === 'moonraker' ? LOCAL_TTL_MS : EXTERNAL_TTL_MS });
  }

  clear(): void { this.entries.clear(); }
  get size(): number { return this.entries.size; }
}
