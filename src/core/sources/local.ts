// Local accounts: the password hash lives in the store. A hash in an imported
// format (Moonraker's or Grafana's PBKDF2) verifies, and is replaced by argon2id
// on that successful login (through `rehash`, a write of the accounts action).
import { fail } from '../errors.js';
import type { User } from '../model.js';
import { verifyDummy, verifyPassword } from '../security/passwords.js';
import type { UserSource } from './types.js';

export class LocalSource implements UserSource {
  readonly name = 'moonraker';
  constructor(private rehash: (user: User, password: string) => Promise<void>) {}

  async authenticate(_username: string, password: string, user: User | undefined): Promise<void> {
    if (!user?.passwordHash) {
      await verifyDummy(password); // the same work as a real check
      throw fail('INVALID_PASSWORD');
    }
    const { ok, needsRehash } = await verifyPassword(user.passwordHash, password);
    if (!ok) throw fail('INVALID_PASSWORD');
    if (needsRehash) await this.rehash(user, password);
  }
}
