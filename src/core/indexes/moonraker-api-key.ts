// Moonraker's single global API key, decrypted once into memory: every
// X-Api-Key request is a constant-time comparison, no store read.
import { timingSafeEqual } from 'node:crypto';
import type { Change } from '../changes.js';
import { decrypt } from '../security/crypto.js';
import type { Store } from '../../store/types.js';
import type { Index } from '../write.js';

export const API_KEY_SETTING = 'moonraker_api_key';

export class MoonrakerApiKeyIndex implements Index {
  private key = '';
  private keyBytes = Buffer.alloc(0);
  /** Unix seconds when the current key's user entry was created (Moonraker keeps the API user's created_on). */
  createdOn = 0;

  constructor(private store: Store, private masterKey: Buffer) {}

  async load(): Promise<void> {
    const sealed = await this.store.settings.get(API_KEY_SETTING);
    if (!sealed) return;
    let plain: string;
    try {
      plain = decrypt(this.masterKey, sealed);
    } catch {
      throw new Error('master.key does not match the store: instances sharing a store need the same master.key and jwt-ed25519.pem');
    }
    const { key, createdOn } = JSON.parse(plain) as { key: string; createdOn: number };
    this.key = key;
    this.keyBytes = Buffer.from(key);
    this.createdOn = createdOn;
  }

  async apply(change: Change): Promise<void> {
    if (change.kind === 'moonraker-api-key') await this.load();
  }

  get exists(): boolean { return this.key !== ''; }
  get(): string { return this.key; }

  /**
   * Constant time over the candidate's bytes. The key's length is no secret (always
   * 32 hex characters), so a candidate of another length is refused at once.
   */
  matches(candidate: string): boolean {
    if (candidate.length !== this.key.length || candidate.length === 0) return false;
    const got = Buffer.from(candidate);
    return got.length === this.keyBytes.length && timingSafeEqual(got, this.keyBytes);
  }
}
