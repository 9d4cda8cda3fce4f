// `X-Api-Key: <global key>`. A wrong key falls through (to 401 "Unauthorized" at the end), as in Moonraker.
import { header, type AuthStep } from '../pipeline.js';

export const moonrakerApiKey: AuthStep = {
  name: 'moonraker-api-key',
  check(req, core) {
    if (!core.opts.enableApiKey) return undefined;
    const key = header(req, 'x-api-key');
    return key && core.apiKey.matches(key) ? core.apiKeyIdentity() : undefined;
  },
};
