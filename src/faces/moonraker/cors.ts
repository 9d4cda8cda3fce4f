// Moonraker's CORS rule: an Origin matching a cors_domains pattern (`*` is a
// wildcard, never in the top-level domain), or whose host is a trusted address.
import type { Core } from '../../core/core.js';

export class MoonrakerCors {
  private patterns: RegExp[];

  constructor(private core: Core) {
    this.patterns = core.config.authorization.cors_domains.map((d) => new RegExp('^' + d.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'));
  }

  get enabled() { return this.patterns.length > 0; }

  async allows(origin: string | undefined): Promise<boolean> {
    if (!origin || !this.enabled) return false;
    if (this.patterns.some((p) => p.test(origin))) return true;
    const host = /^https?:\/\/([^/:]+)/.exec(origin)?.[1];
    return host !== undefined && (await this.core.trusted.isTrusted(host));
  }
}

export const CORS_ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
export const CORS_ALLOW_HEADERS = 'Origin, Accept, Content-Type, X-Requested-With, X-CRSF-Token, Authorization, X-Access-Token, X-Api-Key';
