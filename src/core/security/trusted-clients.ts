// Moonraker's trusted_clients: IP addresses, CIDR ranges and domain names.
// Domains are matched against the client's reverse lookup (getnameinfo, so
// /etc/hosts counts), cached as Moonraker does, and only once a forward lookup
// of that name gives the client's address back (differs from Moonraker: whoever
// controls the reverse zone of their own address could otherwise name it after
// a trusted domain; issue 17).
import { BlockList, isIP } from 'node:net';
import { promises as dns } from 'node:dns';
import { boundedCache } from '../cache.js';

const FQDN_CACHE_MS = 84_000_000;
/** A name that did not confirm is asked again after this long (DNS being fixed, or a transient failure). */
const UNCONFIRMED_CACHE_MS = 60_000;
const LOOKUP_TIMEOUT_MS = 5000;

/** '::ffff:10.0.0.1' → '10.0.0.1'; other addresses unchanged. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export class TrustedClients {
  private blocks = new BlockList();
  private domains: string[] = [];
  private fqdns = boundedCache<string, string>(10_000, { ttl: FQDN_CACHE_MS });
  /** Address → in an address or range of the list (the list never changes). BlockList.check costs microseconds. */
  private inBlocks = boundedCache<string, boolean>(10_000);
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      const [addr, bits] = entry.split('/');
      const family = isIP(addr ?? '');
      if (family && bits === undefined) this.blocks.addAddress(addr!, family === 4 ? 'ipv4' : 'ipv6');
      else if (family) this.blocks.addSubnet(addr!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      else this.domains.push(entry.toLowerCase());
    }
    this.empty = entries.length === 0;
  }

  async isTrusted(rawIp: string): Promise<boolean> {
    if (this.empty) return false;
    const ip = normalizeIp(rawIp);
    let hit = this.inBlocks.get(ip);
    if (hit === undefined) {
      const family = isIP(ip);
      if (!family) return false;
      this.inBlocks.set(ip, (hit = this.blocks.check(ip, family === 4 ? 'ipv4' : 'ipv6')));
    }
    if (hit) return true;
    if (!this.domains.length) return false;
    const fqdn = await this.reverse(ip);
    return fqdn !== undefined && this.domains.includes(fqdn);
  }

  private async reverse(ip: string): Promise<string | undefined> {
    const hit = this.fqdns.get(ip);
    if (hit !== undefined) return hit;
    try {
      const { hostname } = await withTimeout(dns.lookupService(ip, 0));
      const fqdn = hostname.toLowerCase().replace(/\.$/, '');
      const forward = await withTimeout(dns.lookup(fqdn, { all: true }));
      if (!forward.some((a) => normalizeIp(a.address) === ip)) {
        this.fqdns.set(ip, '', { ttl: UNCONFIRMED_CACHE_MS });
        return undefined;
      }
      this.fqdns.set(ip, fqdn);
      return fqdn;
    } catch {
      return undefined;
    }
  }
}

/** `p`, or a rejection after LOOKUP_TIMEOUT_MS (the timer cleared either way). */
async function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), LOOKUP_TIMEOUT_MS); })]);
  } finally {
    clearTimeout(timer);
  }
}
