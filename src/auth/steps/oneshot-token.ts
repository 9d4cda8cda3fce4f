// `?token=<oneshot>`: single use, 5 s, same address.
import { fail } from '../../core/errors.js';
import { defineStep } from '../step.js';

export const oneshotToken = defineStep<string>({
  name: 'oneshot-token',
  match: (req) => req.queryParam('token') || undefined,
  async verify(token, req, core) {
    const identity = await core.oneshot.consume(token, req.ip);
    if (!identity) throw fail('ONESHOT_INVALID');
    return identity;
  },
});
