// A Moonraker JWT: `Authorization: Bearer`, else `X-Access-Token`, else `?access_token=`.
// Another Authorization scheme (e.g. Basic) is not ours: skip. A token that does
// not verify is refused with 401 "JWT Decode Error", as Moonraker does.
import { Errors } from '../../core/errors.js';
import { header, queryParam, type AuthStep } from '../pipeline.js';

export const moonrakerJwt: AuthStep = {
  name: 'moonraker-jwt',
  async check(req, core) {
    let token: string | undefined;
    const auth = header(req, 'authorization');
    if (auth !== undefined) {
      if (!auth.startsWith('Bearer ')) return undefined;
      token = auth.slice(7);
    } else {
      token = header(req, 'x-access-token') ?? queryParam(req, 'access_token');
    }
    if (!token) return undefined;
    const identity = await core.verifyAccessToken(token, req.authRequired);
    if (!identity) throw Errors.jwtDecode();
    return identity;
  },
};
