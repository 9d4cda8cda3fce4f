// The client's address, computed in this one place for every consumer
// (trusted_clients, the oneshot same-address rule, login limits, the audit
// trail, request logs, the websocket). `[gatehouse] trusted_proxies`: only
// when the TCP peer is one of them is a forwarding header believed, in this
// order: X-Forwarded-For (the rightmost hop that is not itself a trusted
// proxy), X-Real-IP, Forwarded's `for=` (RFC 7239, by the same rule). From
// any other peer the headers are ignored. (Moonraker believes X-Forwarded-For
// and X-Real-IP from anyone: docs/notes/moonraker-args-and-secrets.md §5.)
import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { normalizeIp } from '../core/security/trusted-clients.js';

/** What a forwarded hop that is not an IP address becomes: never the proxy's own address (the proxy may be trusted). */
export const UNKNOWN_CLIENT = 'unknown';

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);

/** `for=` of one Forwarded element: `for=1.2.3.4`, `for="[2001:db8::7]:4711"`, `for="1.2.3.4:80"`. */
function forwardedFor(element: string): string | undefined {
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
    let v = pair.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
    if (bracketed) return bracketed[1];
    const v4port = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(v);
    return v4port ? v4port[1] : v;
  }
  return undefined;
}

export class ClientAddresses {
  private proxies = new BlockList();
  readonly empty: boolean;

  /** Entries are IPs and CIDR ranges (the config schema checked them). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [addr = '', bits] = entry.split('/');
      const family = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.proxies.addAddress(addr, family);
      else this.proxies.addSubnet(addr, Number(bits), family);
    }
    this.empty = entries.length === 0;
  }

  isProxy(ip: string): boolean {
    const a = normalizeIp(ip);
    const family = isIP(a);
    return family !== 0 && this.proxies.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** The client's address for a request from `peer` (the TCP peer) with these headers. */
  of(peer: string | undefined, headers: IncomingHttpHeaders): string {
    const own = normalizeIp(peer ?? '');
    if (this.empty || !this.isProxy(own)) return own;
    const xff = header(headers['x-forwarded-for']);
    if (xff !== undefined && xff.trim() !== '') return this.rightmost(xff.split(','));
    const real = header(headers['x-real-ip'])?.trim();
    if (real) return isIP(real) ? normalizeIp(real) : UNKNOWN_CLIENT;
    const fwd = header(headers.forwarded);
    if (fwd !== undefined && fwd.trim() !== '') return this.rightmost(fwd.split(',').map((e) => forwardedFor(e) ?? ''));
    return own;
  }

  /** Walks the hops from the right, skipping trusted proxies; the first other hop is the client. */
  private rightmost(hops: string[]): string {
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim();
      if (!isIP(hop)) return UNKNOWN_CLIENT;
      if (!this.isProxy(hop)) return normalizeIp(hop);
    }
    // Every hop is a trusted proxy: the leftmost is the nearest thing to a client.
    return normalizeIp(hops[0]!.trim());
  }
}
