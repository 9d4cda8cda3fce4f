// `X-Api-Key: <global key or a named key>` (when enable_api_key).
import { defineStep } from '../step.js';

export const moonrakerApiKey = defineStep<string>({
  name: 'moonraker-api-key',
  match: (req, core) => (core.config.authorization.enable_api_key ? req.header('x-api-key') || undefined : undefined),
  async verify(key, req, core) {
    return core.verify.apiKey(key, req.ip);
  },
});
