// Moonraker's trusted_clients: IP addresses, CIDR ranges and domain names.
// Domains are matched against the client's reverse lookup (getnameinfo, so
// /etc/hosts counts), cached as Moonraker does.
import { BlockList, isIP } from 'node:net';
import { promises as dns } from 'node:dns';

const FQDN_CACHE_MS = 84_000_000;
const LOOKUP_TIMEOUT_MS = 5000;

/** '::ffff:10.0.0.1' → '10.0.0.1'; other addresses unchanged. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export class TrustedClients {
  private blocks = new BlockList();
  private domains: string[] = [];
  private fqdnCache = new Map<string, { fqdn: string; expires: number }>();
  /** Address → in an address or range of the list (the list never changes: a cache, bounded). */
  private inBlocks = new Map<string, boolean>();
  readonly empty: boolean;

  constructor(entries: string[]) {
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
    const now = this.isTrustedNow(rawIp);
    if (now !== undefined) return now;
    const fqdn = await this.reverse(normalizeIp(rawIp));
    return fqdn !== undefined && this.domains.includes(fqdn);
  }

  /**
   * isTrusted() without a promise (the hot path), when memory can tell: by
   * address or range, or by a cached reverse lookup. Undefined: a lookup is due.
   */
  isTrustedNow(rawIp: string): boolean | undefined {
    if (this.empty) return false;
    const ip = normalizeIp(rawIp);
    let hit = this.inBlocks.get(ip);
    if (hit === undefined) {
      const family = isIP(ip);
      if (!family) return false;
      hit = this.blocks.check(ip, family === 4 ? 'ipv4' : 'ipv6');
      if (this.inBlocks.size >= 10_000) this.inBlocks.clear();
      this.inBlocks.set(ip, hit);
    }
    if (hit) return true;
    if (!this.domains.length) return false;
    const cached = this.fqdnCache.get(ip);
    return cached && cached.expires > Date.now() ? this.domains.includes(cached.fqdn) : undefined;
  }

  private async reverse(ip: string): Promise<string | undefined> {
    const hit = this.fqdnCache.get(ip);
    if (hit && hit.expires > Date.now()) return hit.fqdn;
    let timer: NodeJS.Timeout | undefined;
    try {
      const { hostname } = await Promise.race([
        dns.lookupService(ip, 0),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), LOOKUP_TIMEOUT_MS); }),
      ]);
      const fqdn = hostname.toLowerCase();
      this.fqdnCache.set(ip, { fqdn, expires: Date.now() + FQDN_CACHE_MS });
      return fqdn;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
