// A Moonraker JWT as a reverse proxy forwards it (forward auth): `Authorization:
// Bearer` with a JWT's three parts, or `X-Access-Token`. A Bearer value that is
// not a JWT is the Grafana steps' (an API key or service-account token).
import { defineStep } from '../step.js';
import { moonrakerJwt } from './moonraker-jwt.js';

export const forwardJwt = defineStep<string>({
  name: 'forward-jwt',
  match(req, core) {
    const auth = req.header('authorization');
    if (auth !== undefined && (!auth.startsWith('Bearer ') || auth.split('.').length !== 3)) return undefined;
    return moonrakerJwt.match(req, core);
  },
  verify: moonrakerJwt.verify,
});
