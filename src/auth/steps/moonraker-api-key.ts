// `X-Api-Key: <global key>` (when enable_api_key).
import { fail } from '../../core/errors.js';
import { defineStep } from '../step.js';

export const moonrakerApiKey = defineStep<string>({
  name: 'moonraker-api-key',
  match: (req, core) => (core.config.authorization.enable_api_key ? req.header('x-api-key') || undefined : undefined),
  async verify(key, _req, core) {
    if (!core.apiKey.matches(key)) throw fail('API_KEY_INVALID');
    return core.verify.apiKeyIdentity();
  },
});
