// trusted_clients: an address (IP, CIDR range or domain) that needs no credential.
import type { AuthStep } from '../pipeline.js';

export const trustedClient: AuthStep = {
  name: 'trusted-client',
  check(req, core) {
    const now = core.trusted.isTrustedNow(req.ip);
    if (now !== undefined) return now ? core.trustedIdentity(req.ip) : undefined;
    return core.trusted.isTrusted(req.ip).then((ok) => (ok ? core.trustedIdentity(req.ip) : undefined));
  },
};
