// Moonraker's trusted_clients: IP addresses, CIDR ranges and domain names.
// Domains are matched against the client's reverse lookup (getnameinfo, so
// /etc/hosts counts), cached as Moonraker does.
import { BlockList, isIP } from 'node:net';
import { promises as dns } from 'node:dns';
import { boundedCache } from '../cache.js';

const FQDN_CACHE_MS = 84_000_000;
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
    let timer: NodeJS.Timeout | undefined;
    try {
      const { hostname } = await Promise.race([
        dns.lookupService(ip, 0),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), LOOKUP_TIMEOUT_MS); }),
      ]);
      const fqdn = hostname.toLowerCase();
      this.fqdns.set(ip, fqdn);
      return fqdn;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
