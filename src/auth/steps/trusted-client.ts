// trusted_clients: an address (IP, CIDR range or domain) that needs no credential.
import type { AuthStep } from '../pipeline.js';

export const trustedClient: AuthStep = {
  name: 'trusted-client',
  async check(req, core) {
    return (await core.trusted.isTrusted(req.ip)) ? core.trustedIdentity(req.ip) : undefined;
  },
};
