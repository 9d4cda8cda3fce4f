// force_logins: once a user exists, trusted addresses no longer authenticate.
import { Errors } from '../../core/errors.js';
import type { AuthStep } from '../pipeline.js';

export const forceLogins: AuthStep = {
  name: 'force-logins',
  check(req, core) {
    if (!core.isLoginRequired()) return undefined;
    if (!req.authRequired) return null;
    throw Errors.forceLogins();
  },
};
