// trusted_clients: an address (IP, CIDR range or domain) that needs no credential.
// Being ambient, it counts only under one of the server's own Host names (DNS
// rebinding), and a state change needs a same-site request (CSRF): issue 17
// finding 3, core/security/request-origin.ts.
import { isIP } from 'node:net';
import { fail } from '../../core/errors.js';
import { defineStep } from '../step.js';

export const trustedClient = defineStep<string>({
  name: 'trusted-client',
  match: (req, core) => (core.trusted.empty ? undefined : req.ip),
  async verify(ip, req, core) {
    if (!(await core.trusted.isTrusted(ip))) throw fail('UNAUTHORIZED');
    const host = req.header('host');
    if (!core.origins.hostAllowed(host)) throw fail('UNAUTHORIZED');
    const origin = req.header('origin'), referer = req.header('referer');
    if (!core.origins.sameSite({ method: req.method, host, origin, referer, contentType: req.header('content-type') })) {
      // As Moonraker's CORS rule: a page served by another trusted address (by IP) may act too.
      const from = /^https?:\/\/\[?([^\]/:]+)/i.exec(origin ?? referer ?? '')?.[1];
      if (!from || !isIP(from) || !(await core.trusted.isTrusted(from))) throw fail('CROSS_SITE');
    }
    return core.verify.trustedIdentity(ip);
  },
});
