// A Moonraker JWT: `Authorization: Bearer`, else `X-Access-Token`, else `?access_token=`.
// Another Authorization scheme (e.g. Basic) is not ours: skip. A token that does
// not verify is refused with 401 "JWT Decode Error", as Moonraker does.
import { Errors } from '../../core/errors.js';
import { header, queryParam, type AuthStep } from '../pipeline.js';

export const moonrakerJwt: AuthStep = {
  name: 'moonraker-jwt',
  check(req, core) {
    let token: string | undefined;
    const auth = header(req, 'authorization');
    if (auth !== undefined) {
      if (!auth.startsWith('Bearer ')) return undefined;
      token = auth.slice(7);
    } else {
      token = header(req, 'x-access-token') ?? queryParam(req, 'access_token');
    }
    if (!token) return undefined;
    // A token seen before, its family and user in memory: answered without a promise (the hot path).
    const known = core.verifyKnownAccessToken(token, req.authRequired);
    if (known) return known;
    if (known === null) throw Errors.jwtDecode();
    return core.verifyAccessToken(token, req.authRequired).then((identity) => {
      if (!identity) throw Errors.jwtDecode();
      return identity;
    });
  },
};
