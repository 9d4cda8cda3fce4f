// Rules for names we store. Moonraker accepts anything; we refuse what would
// make an account impossible to type, display or log safely.
import { Errors } from './errors.js';

export const MAX_USERNAME_LENGTH = 64;

export function validateUsername(username: string, field = 'username'): void {
  if (username.length === 0) throw Errors.invalidArgument(field, 'must not be empty');
  if ([...username].length > MAX_USERNAME_LENGTH) throw Errors.invalidArgument(field, `must be at most ${MAX_USERNAME_LENGTH} characters`);
  if (!username.isWellFormed()) throw Errors.invalidArgument(field, 'contains an unpaired surrogate');
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(username)) throw Errors.invalidArgument(field, 'contains control or invisible characters');
  if (username.trim() !== username) throw Errors.invalidArgument(field, 'must not start or end with whitespace');
  if (username.normalize('NFC') !== username) throw Errors.invalidArgument(field, 'must be in Unicode normal form C');
}
