// Rules for names we store. Moonraker accepts anything; we refuse what would
// make an account impossible to type, display or log safely.
import { fail } from '../errors.js';

export const MAX_USERNAME_LENGTH = 64;

export function validateUsername(username: string, key = 'username'): void {
  const bad = (why: string) => fail('INVALID_ARGUMENT', { key, why });
  if (username.length === 0) throw bad('must not be empty');
  if ([...username].length > MAX_USERNAME_LENGTH) throw bad(`must be at most ${MAX_USERNAME_LENGTH} characters`);
  if (!username.isWellFormed()) throw bad('contains an unpaired surrogate');
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(username)) throw bad('contains control or invisible characters');
  if (username.trim() !== username) throw bad('must not start or end with whitespace');
  if (username.normalize('NFC') !== username) throw bad('must be in Unicode normal form C');
}
