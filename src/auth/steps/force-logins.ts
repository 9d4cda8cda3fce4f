// force_logins: once a user exists, what follows (trusted clients) no longer
// authenticates; a route without auth goes on anonymously.
import { fail } from '../../core/errors.js';
import { defineStep } from '../step.js';

export const forceLogins = defineStep<true>({
  name: 'force-logins',
  match: (_req, core) => (core.verify.isLoginRequired() ? true : undefined),
  async verify(_, req) {
    if (!req.authRequired) return null;
    throw fail('FORCE_LOGINS');
  },
});
