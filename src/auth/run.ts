// The one runner: tries a policy's rows in order, and on each refusal does what
// the row says. Null only when nothing authenticated and credentials are optional.
import type { Core } from '../core/core.js';
import { CoreError, fail } from '../core/errors.js';
import type { Identity } from '../core/model.js';
import type { Policy } from './policies.js';
import type { AuthRequest } from './request.js';

export async function authenticate(policy: Policy, req: AuthRequest, core: Core): Promise<Identity | null> {
  // Credentials are checked against in-memory indexes; while other instances' changes may be missed, none is trusted.
  if (!core.coherent()) throw fail('OUT_OF_SYNC');
  let collected: CoreError | undefined;
  for (const row of policy.rows) {
    const credential = row.step.match(req, core);
    if (credential === undefined) continue;
    try {
      return await row.step.verify(credential, req, core);
    } catch (err) {
      if (!(err instanceof CoreError) || row.refusal === 'stop') throw err;
      if (row.refusal === 'collect' || (row.refusal === 'required' && req.authRequired)) collected ??= err;
    }
  }
  if (collected) throw collected;
  if (req.authRequired) throw fail(policy.none);
  return null;
}
