// A Moonraker JWT: `Authorization: Bearer`, else `X-Access-Token`, else `?access_token=`.
// Another Authorization scheme (e.g. Basic) is not ours. A token that does not
// verify is "JWT Decode Error", as Moonraker answers. Optional-auth routes accept
// an expired token, as Moonraker does.
import { fail } from '../../core/errors.js';
import { defineStep } from '../step.js';

export const moonrakerJwt = defineStep<string>({
  name: 'moonraker-jwt',
  match(req) {
    const auth = req.header('authorization');
    if (auth !== undefined) return auth.startsWith('Bearer ') ? auth.slice(7) || undefined : undefined;
    return req.header('x-access-token') || req.queryParam('access_token') || undefined;
  },
  async verify(token, req, core) {
    const identity = await core.verify.accessToken(token, req.authRequired);
    if (!identity) throw fail('JWT_INVALID');
    return identity;
  },
});
