// The authentication pipeline: an ordered table of small credential checks.
// Each step looks at the request and either
//   - returns an Identity (authenticated: stop),
//   - returns null (stop, anonymous),
//   - returns undefined (not my credential: ask the next step), or
//   - throws a GatehouseError (a credential was presented and is refused).
// Adding a credential kind is adding one step file and one line in a table.
import type { Core } from '../core/core.js';
import { Errors } from '../core/errors.js';
import type { Identity } from '../core/identity.js';
import type { MaybePromise } from '../core/maybe-promise.js';

export interface AuthRequest {
  method: string;
  /** Header names lower-cased, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  ip: string;
  /** False on routes that work without credentials (login, info, refresh). */
  authRequired: boolean;
  /** Face-specific extras (e.g. the Grafana org requested by X-Grafana-Org-Id). */
  cookies?: Record<string, string>;
  /**
   * The Basic credentials once decoded (steps/grafana-basic.ts): null when the
   * request has none, undefined until a step first asks. Held by this request only.
   */
  basic?: { username: string; password: string } | null;
}

export type StepResult = Identity | null | undefined;

export interface AuthStep {
  readonly name: string;
  check(req: AuthRequest, core: Core): StepResult | Promise<StepResult>;
}

export type Pipeline = readonly AuthStep[];

/**
 * Runs the steps in order. Answers synchronously while every step does (a
 * cached token, the API key, a trusted address: the hot path), and with a
 * promise from the first step that needs one. Either way, a refusal is thrown
 * (synchronously or as a rejection).
 */
export function authenticate(pipeline: Pipeline, req: AuthRequest, core: Core, from = 0): MaybePromise<Identity | null> {
  for (let i = from; i < pipeline.length; i++) {
    const r = pipeline[i]!.check(req, core);
    if (r instanceof Promise) return r.then((id) => (id !== undefined ? id : authenticate(pipeline, req, core, i + 1)));
    if (r !== undefined) return r;
  }
  if (req.authRequired) throw Errors.unauthorized();
  return null;
}

export function header(req: AuthRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function queryParam(req: AuthRequest, name: string): string | undefined {
  const v = req.query[name];
  if (Array.isArray(v)) return typeof v[v.length - 1] === 'string' ? v[v.length - 1] : undefined;
  return typeof v === 'string' ? v : undefined;
}
