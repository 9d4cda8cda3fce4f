// Long-lived secrets: the master key (encrypts secrets that must be read back, such
// as Moonraker's API key) and the Ed25519 key that signs JWTs.
// - Without `[security] secret_key`: files in the data directory, owner-only
//   (loadKeyring). Instances sharing a store would have to share these files.
// - With it: one row of the store's settings, sealed with AES-256-GCM under a key
//   derived from the secret by scrypt (loadStoredKeyring). Every instance given the
//   store and the secret has the same keys; the first start moves the data
//   directory's key files into the store (or makes new keys when there are none).
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, createPublicKey, createPrivateKey, createHash, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { decrypt, encrypt } from './crypto.js';

export interface Keyring {
  masterKey: Buffer;
  signing: { privateKey: KeyObject; publicKey: KeyObject; kid: string };
}

/** The keys cannot be had (a wrong secret, a damaged row): the message is one line for the operator. */
export class KeyringError extends Error {}

/** The settings row holding the sealed keys. */
export const KEYRING_SETTING = 'keyring';

export interface KeyringSettings {
  get(key: string): Promise<string | undefined>;
  /** Writes `value` unless the key exists; returns what the key holds afterwards (the first writer wins). */
  claim(key: string, value: string): Promise<string>;
}

function writeSecret(path: string, data: string | Buffer) {
  writeFileSync(path, data, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

/** A key file restored from a backup (or copied by hand) with group/other access is put back to owner-only. */
function tighten(path: string) {
  if (statSync(path).mode & 0o077) chmodSync(path, 0o600);
}

function keyringOf(masterKey: Buffer, pem: string | Buffer): Keyring {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
  return { masterKey, signing: { privateKey, publicKey, kid } };
}

const newPem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

const MASTER_FILE = 'master.key';
const SIGNING_FILE = 'jwt-ed25519.pem';

function readMaster(path: string): Buffer {
  const masterKey = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  if (masterKey.length !== 32) throw new KeyringError(`${path} is not a 32-byte hex key`);
  return masterKey;
}

export function loadKeyring(dataDir: string): Keyring {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const masterPath = join(dataDir, MASTER_FILE);
  if (!existsSync(masterPath)) writeSecret(masterPath, randomBytes(32).toString('hex') + '\n');
  tighten(masterPath);
  const keyPath = join(dataDir, SIGNING_FILE);
  if (!existsSync(keyPath)) writeSecret(keyPath, newPem());
  tighten(keyPath);
  return keyringOf(readMaster(masterPath), readFileSync(keyPath));
}

// scrypt's cost: 16 MiB and some tens of milliseconds, once per start.
const KDF = { N: 1 << 14, r: 8, p: 1 };

interface Sealed { v: 1; kdf: 'scrypt'; N: number; r: number; p: number; salt: string; keys: string }
interface Plain { master: string; signing: string }

function kek(secret: string, s: Pick<Sealed, 'N' | 'r' | 'p' | 'salt'>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, Buffer.from(s.salt, 'base64url'), 32, { N: s.N, r: s.r, p: s.p, maxmem: 256 * s.N * s.r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

async function seal(secret: string, plain: Plain): Promise<string> {
  const params = { ...KDF, salt: randomBytes(16).toString('base64url') };
  const sealed: Sealed = { v: 1, kdf: 'scrypt', ...params, keys: encrypt(await kek(secret, params), JSON.stringify(plain)) };
  return JSON.stringify(sealed);
}

async function unseal(secret: string, row: string): Promise<Keyring> {
  let sealed: Sealed;
  try {
    sealed = JSON.parse(row) as Sealed;
    if (sealed.v !== 1 || sealed.kdf !== 'scrypt') throw new Error('unknown format');
  } catch {
    throw new KeyringError(`the keys stored in the database (settings "${KEYRING_SETTING}") are not in a format this gatehouse reads`);
  }
  let plain: Plain;
  try {
    plain = JSON.parse(decrypt(await kek(secret, sealed), sealed.keys)) as Plain;
  } catch {
    throw new KeyringError('[security] secret_key does not open the keys stored in the database: give every instance the secret the first one was started with');
  }
  return keyringOf(Buffer.from(plain.master, 'hex'), plain.signing);
}

/** The data directory's key files, when it has both (a single instance upgraded to stored keys). */
function keyFiles(dataDir: string): Plain | undefined {
  const masterPath = join(dataDir, MASTER_FILE);
  const keyPath = join(dataDir, SIGNING_FILE);
  if (!existsSync(masterPath) || !existsSync(keyPath)) return undefined;
  return { master: readMaster(masterPath).toString('hex'), signing: readFileSync(keyPath, 'utf8') };
}

/**
 * The keys sealed in the store under `secret`. On a store without them: the data
 * directory's key files if it has them (`moved: true`), else new keys; of several
 * instances starting at once on an empty store, the first to write wins and all use its keys.
 */
export async function loadStoredKeyring(settings: KeyringSettings, secret: string, dataDir: string): Promise<{ keyring: Keyring; moved: boolean }> {
  const row = await settings.get(KEYRING_SETTING);
  if (row !== undefined) return { keyring: await unseal(secret, row), moved: false };
  const files = keyFiles(dataDir);
  const mine = await seal(secret, files ?? { master: randomBytes(32).toString('hex'), signing: newPem() });
  const winner = await settings.claim(KEYRING_SETTING, mine);
  return { keyring: await unseal(secret, winner), moved: files !== undefined && winner === mine };
}
