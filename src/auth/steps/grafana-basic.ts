// Basic user:password (login or email), when [auth.basic] is enabled. Verified
// pairs are cached (as a keyed hash, never the password); the brute-force check
// still runs first. `api_key:` is the API-key step's: an account named so cannot use Basic.
import { defineStep } from '../step.js';

export const grafanaBasic = defineStep<{ username: string; password: string }>({
  name: 'grafana-basic',
  match: (req, core) => (core.config.gatehouse.grafana_enabled && core.config.auth_basic.enabled && req.basic && req.basic.username !== 'api_key' ? req.basic : undefined),
  async verify({ username, password }, req, core) {
    const user = await core.verify.grafanaPassword(username, password, req.ip, { cache: true });
    return core.verify.grafanaUser(user, req.requestedOrg, 'basic');
  },
});
