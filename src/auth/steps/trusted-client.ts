// trusted_clients: an address (IP, CIDR range or domain) that needs no credential.
import { fail } from '../../core/errors.js';
import { defineStep } from '../step.js';

export const trustedClient = defineStep<string>({
  name: 'trusted-client',
  match: (req, core) => (core.trusted.empty ? undefined : req.ip),
  async verify(ip, _req, core) {
    if (!(await core.trusted.isTrusted(ip))) throw fail('UNAUTHORIZED');
    return core.verify.trustedIdentity(ip);
  },
});
