// Grafana's two API-key formats, so keys minted by Grafana keep working and keys
// minted here look like Grafana's to its clients.
//
//  - legacy: base64(JSON {"k": 32 alnum secret, "n": key name, "id": org id}),
//    the `eyJr…` keys of Grafana ≤ 11 (pkg/components/apikeygen);
//  - prefixed: `glsa_<32 alnum secret>_<crc32 hex>`, service-account tokens
//    (pkg/components/satokengen); the checksum is CRC32-IEEE of
//    `glsa_<secret>`, its 4 bytes little-endian, in lower-case hex.
//
// Both decoders are pure: a malformed key is refused before any lookup.
// At rest gatehouse stores SHA-256 of the whole key; Grafana's own stored hash,
// hex(PBKDF2-HMAC-SHA256(secret, salt, 10 000, 50 bytes)) with salt = key name
// (legacy) or checksum (prefixed), is still verifiable for imported rows.
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { randomAlnum, sha256hex } from './crypto.js';

const pbkdf2Async = promisify(pbkdf2);

export const GRAFANA_PREFIX = 'gl';
export const SA_SERVICE_ID = 'sa';

export interface LegacyKey { kind: 'legacy'; secret: string; name: string; orgId: number }
export interface PrefixedKey { kind: 'prefixed'; serviceId: string; secret: string; checksum: string }
export type DecodedKey = LegacyKey | PrefixedKey;

// ---- CRC32 (IEEE 802.3), as Go's hash/crc32.ChecksumIEEE -------------------
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(s: string): number {
  let c = 0xffffffff;
  for (const b of Buffer.from(s, 'utf8')) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The checksum field: CRC32 of `text`, 4 bytes little-endian, hex. */
export function checksumHex(text: string): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(crc32(text));
  return b.toString('hex');
}

// ---- legacy `eyJr…` keys ----------------------------------------------------
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function newLegacyKey(name: string, orgId: number): { key: string; decoded: LegacyKey } {
  const secret = randomAlnum(32);
  const key = Buffer.from(JSON.stringify({ k: secret, n: name, id: orgId })).toString('base64');
  return { key, decoded: { kind: 'legacy', secret, name, orgId } };
}

export function decodeLegacy(token: string): LegacyKey | undefined {
  if (token.length === 0 || token.length > 8192 || !STD_BASE64.test(token)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const { k, n, id } = v as { k?: unknown; n?: unknown; id?: unknown };
  if (typeof k !== 'string' || !k || typeof n !== 'string' || typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return undefined;
  return { kind: 'legacy', secret: k, name: n, orgId: id };
}

// ---- prefixed `glsa_…` tokens -------------------------------------------------
export function newServiceAccountToken(): { key: string; decoded: PrefixedKey } {
  const secret = randomAlnum(32);
  const checksum = checksumHex(`${GRAFANA_PREFIX}${SA_SERVICE_ID}_${secret}`);
  return { key: `${GRAFANA_PREFIX}${SA_SERVICE_ID}_${secret}_${checksum}`, decoded: { kind: 'prefixed', serviceId: SA_SERVICE_ID, secret, checksum } };
}

export function decodePrefixed(token: string): PrefixedKey | undefined {
  if (!token.startsWith(GRAFANA_PREFIX) || token.length > 512) return undefined;
  const parts = token.split('_');
  if (parts.length !== 3) return undefined;
  const [head, secret, checksum] = parts as [string, string, string];
  const serviceId = head.slice(GRAFANA_PREFIX.length);
  if (checksumHex(`${GRAFANA_PREFIX}${serviceId}_${secret}`) !== checksum) return undefined;
  return { kind: 'prefixed', serviceId, secret, checksum };
}

/** Grafana's routing: a token starting with `gl` is a prefixed token, anything else a legacy key. */
export const decodeKey = (token: string): DecodedKey | undefined =>
  token.startsWith(GRAFANA_PREFIX) ? decodePrefixed(token) : decodeLegacy(token);

// ---- hashes -----------------------------------------------------------------
/** What gatehouse stores: SHA-256 of the whole key (keys are high-entropy). */
export const keyHash = (token: string) => sha256hex(token);

/** Grafana's stored hash of a key, for rows imported from a Grafana database. */
export async function grafanaKeyHash(d: DecodedKey): Promise<string> {
  const salt = d.kind === 'legacy' ? d.name : d.checksum;
  return (await pbkdf2Async(d.secret, salt, 10_000, 50, 'sha256')).toString('hex');
}
