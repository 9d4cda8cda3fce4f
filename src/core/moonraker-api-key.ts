// Moonraker's single global API key: 32 hex characters (uuid4().hex), shown by
// GET /access/api_key and replaced by POST. It must be readable back, so it is
// stored encrypted under the master key rather than hashed.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/types.js';
import { decrypt, encrypt } from './crypto.js';

const SETTING = 'moonraker_api_key';

export class MoonrakerApiKey {
  private key = '';
  /** The key's bytes, for the constant-time comparison on every X-Api-Key request. */
  private keyBytes = Buffer.alloc(0);
  /** Unix seconds when the current key's user entry was created (Moonraker keeps the API user's created_on). */
  createdOn = 0;

  constructor(private store: Store, private masterKey: Buffer) {}

  async load(): Promise<void> {
    const sealed = await this.store.settings.get(SETTING);
    if (sealed) {
      let plain: string;
      try {
        plain = decrypt(this.masterKey, sealed);
      } catch {
        throw new Error('master.key does not match the store: instances sharing a store need the same master.key and jwt-ed25519.pem');
      }
      const { key, createdOn } = JSON.parse(plain);
      this.setKey(key);
      this.createdOn = createdOn;
    } else {
      this.createdOn = Date.now() / 1000;
      await this.rotate();
    }
  }

  get(): string { return this.key; }

  /**
   * Constant time over the candidate's bytes. The key's length is no secret (always
   * 32 hex characters), so a candidate of another length is refused at once, which
   * spares the two SHA-256s of safeEqual on the hot path.
   */
  matches(candidate: string): boolean {
    if (candidate.length !== this.key.length || candidate.length === 0) return false;
    const got = Buffer.from(candidate);
    return got.length === this.keyBytes.length && timingSafeEqual(got, this.keyBytes);
  }

  private setKey(key: string) {
    this.key = key;
    this.keyBytes = Buffer.from(key);
  }

  async rotate(): Promise<string> {
    const key = randomUUID().replace(/-/g, '');
    await this.store.settings.set(SETTING, encrypt(this.masterKey, JSON.stringify({ key, createdOn: this.createdOn })));
    this.setKey(key);
    return key;
  }
}
