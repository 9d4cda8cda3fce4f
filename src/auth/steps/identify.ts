// server.connection.identify's credentials: an `access_token` param (a Moonraker
// JWT, whatever the connection holds), an `api_key` param (only for a connection
// not authenticated yet), and the connection's own identity.
import { fail } from '../../core/errors.js';
import type { Identity } from '../../core/model.js';
import { defineStep } from '../step.js';

export const identifyToken = defineStep<string>({
  name: 'identify-access-token',
  match: (req) => req.identify?.accessToken,
  async verify(token, _req, core) {
    const identity = await core.verify.accessToken(token, true);
    if (!identity) throw fail('JWT_INVALID');
    return identity;
  },
});

export const identifyApiKey = defineStep<string>({
  name: 'identify-api-key',
  match: (req) => (req.identify?.current ? undefined : req.identify?.apiKey),
  async verify(key, req, core) {
    if (!core.config.authorization.enable_api_key) throw fail('API_KEY_DISABLED');
    return core.verify.apiKey(key, req.ip); // the global key or a named one
  },
});

export const connectionIdentity = defineStep<Identity>({
  name: 'connection',
  match: (req) => req.identify?.current ?? undefined,
  verify: async (identity) => identity,
});
