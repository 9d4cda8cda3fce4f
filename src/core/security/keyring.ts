// Long-lived secrets kept as files in the data directory, readable by the owner only:
// the master key (encrypts secrets that must be read back, such as Moonraker's API key)
// and the Ed25519 key that signs JWTs. Instances sharing a store must share these files.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, createPublicKey, createPrivateKey, createHash, randomBytes, type KeyObject } from 'node:crypto';

export interface Keyring {
  masterKey: Buffer;
  signing: { privateKey: KeyObject; publicKey: KeyObject; kid: string };
}

function writeSecret(path: string, data: string | Buffer) {
  writeFileSync(path, data, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

/** A key file restored from a backup (or copied by hand) with group/other access is put back to owner-only. */
function tighten(path: string) {
  if (statSync(path).mode & 0o077) chmodSync(path, 0o600);
}

export function loadKeyring(dataDir: string): Keyring {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const masterPath = join(dataDir, 'master.key');
  if (!existsSync(masterPath)) writeSecret(masterPath, randomBytes(32).toString('hex') + '\n');
  tighten(masterPath);
  const masterKey = Buffer.from(readFileSync(masterPath, 'utf8').trim(), 'hex');
  if (masterKey.length !== 32) throw new Error(`${masterPath} is not a 32-byte hex key`);

  const keyPath = join(dataDir, 'jwt-ed25519.pem');
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeSecret(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  }
  tighten(keyPath);
  const privateKey = createPrivateKey(readFileSync(keyPath));
  const publicKey = createPublicKey(privateKey);
  const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
  return { masterKey, signing: { privateKey, publicKey, kid } };
}
