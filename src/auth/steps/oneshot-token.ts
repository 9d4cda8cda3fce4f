// `?token=<oneshot>`: single use, 5 s, same address. A bad one just falls through.
import { queryParam, type AuthStep } from '../pipeline.js';

export const oneshotToken: AuthStep = {
  name: 'oneshot-token',
  check(req, core) {
    const token = queryParam(req, 'token');
    if (!token) return undefined;
    return core.consumeOneshot(token, req.ip).then((identity) => identity ?? undefined);
  },
};
