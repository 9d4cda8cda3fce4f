// Local accounts: the password hash lives in the store. A hash in an imported
// format (Moonraker's or Grafana's PBKDF2) verifies, and is replaced by argon2id
// on that successful login.
import type { UserRecord } from '../../store/types.js';
import { Errors } from '../errors.js';
import { hashPassword, verifyPassword } from '../passwords.js';
import type { UserDirectory } from '../users.js';
import type { UserSource } from './types.js';

export class LocalSource implements UserSource {
  readonly name = 'moonraker';
  constructor(private users: UserDirectory) {}

  async authenticate(_username: string, password: string, user: UserRecord | undefined): Promise<void> {
    if (!user?.passwordHash) throw Errors.invalidPassword();
    const { ok, needsRehash } = await verifyPassword(user.passwordHash, password);
    if (!ok) throw Errors.invalidPassword();
    if (needsRehash) await this.users.update(user.id, { passwordHash: await hashPassword(password) });
  }
}
