// Where a request comes from, as far as an ambient credential (a trusted
// address) is concerned (issue 17 finding 3):
// - DNS rebinding: a page on a name the attacker points at the printer's address
//   sends that name as Host. A trusted address counts only when Host is one of
//   the server's names: `[authorization] allowed_hosts`, by default the listen
//   addresses, localhost and the machine's names; an IP literal always (a browser
//   on an IP literal's origin is on the server's own origin).
// - CSRF: a cross-site form can POST text/plain, urlencoded or multipart bodies
//   without a preflight. A state-changing request authenticated only by the
//   trusted address needs a same-origin Origin (else Referer), an origin
//   cors_domains allows, or a JSON body (which a form cannot send).
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { Config } from '../../config/schema.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A Host header's name (lower-case, no port, no brackets, no trailing dot) and the header as given (lower-case). */
function parseHost(host: string): { name: string; full: string } {
  const full = host.trim().toLowerCase();
  const m = /^\[([^\]]*)\](?::\d*)?$/.exec(full) ?? /^([^:]*)(?::\d*)?$/.exec(full);
  const name = (m ? m[1]! : full).replace(/\.$/, '');
  return { name, full };
}

/** The host[:port] of an origin or URL, lower-case; undefined for `null` or anything that is not a URL with a host. */
function netloc(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1]?.toLowerCase() || undefined;
}

export class RequestOrigins {
  private names = new Set<string>();
  private any = false;
  private cors: RegExp[];

  constructor(c: Pick<Config, 'gatehouse' | 'authorization'>) {
    const configured = c.authorization.allowed_hosts.map((h) => h.trim().toLowerCase()).filter(Boolean);
    if (configured.length) {
      for (const h of configured) {
        if (h === '*') this.any = true;
        else this.names.add(h.replace(/^\[(.*)\]$/, '$1'));
      }
    } else {
      const machine = hostname().toLowerCase();
      for (const h of ['localhost', machine, machine.split('.')[0]!, `${machine.split('.')[0]}.local`, c.gatehouse.host, c.gatehouse.grafana_host]) {
        if (h) this.names.add(h.toLowerCase());
      }
    }
    this.cors = c.authorization.cors_domains.map((d) => new RegExp('^' + d.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$', 'i'));
  }

  /** Is this Host header one of the server's names (a request without one: yes, no browser sends that)? */
  hostAllowed(host: string | undefined): boolean {
    if (host === undefined || this.any) return true;
    const { name, full } = parseHost(host);
    return isIP(name) !== 0 || this.names.has(name) || this.names.has(full);
  }

  /**
   * May a request authenticated only by an ambient credential run? Safe methods
   * and JSON bodies always; otherwise its Origin (else Referer) must be the
   * server's own (its host[:port] is the Host header) or allowed by
   * cors_domains; with neither header (not a browser), yes.
   */
  sameSite(r: { method: string; host?: string; origin?: string; referer?: string; contentType?: string }): boolean {
    if (SAFE_METHODS.has(r.method.toUpperCase())) return true;
    if (/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(r.contentType?.trim() ?? '')) return true;
    const from = r.origin ?? r.referer;
    if (from === undefined) return true;
    const loc = netloc(from);
    if (loc === undefined) return false; // Origin: null (a sandboxed frame, a redirect chain)
    if (r.host !== undefined && loc === r.host.trim().toLowerCase()) return true;
    const origin = r.origin ?? from.slice(0, from.indexOf(loc) + loc.length);
    return this.cors.some((p) => p.test(origin));
  }
}
