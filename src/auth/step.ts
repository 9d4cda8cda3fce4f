// One credential kind: `match` finds it in the request (undefined: the request
// carries none of it, ask the next step); `verify` proves it and returns the
// Identity, or null for "anonymous, stop here", or throws the CoreError that
// refuses it. What a refusal does next is the policy row's business (policies.ts).
import type { Core } from '../core/core.js';
import type { Identity } from '../core/model.js';
import type { AuthRequest } from './request.js';

export interface Step<C = unknown> {
  readonly name: string;
  match(req: AuthRequest, core: Core): C | undefined;
  verify(credential: C, req: AuthRequest, core: Core): Promise<Identity | null>;
}

export const defineStep = <C>(s: Step<C>): Step<C> => s;
