// Grafana's authentication, as its authn service does it (pkg/services/authn):
// every client whose Test() matches the request is tried in priority order,
// a success from any of them wins, and when all fail the first error in
// Grafana's errutil shape decides the answer (else the first error).
//
//   30  API key / service-account token: `Authorization: Bearer <key>`, or
//       Basic with the user name `api_key` and the key as password
//   40  Basic user:password (login or email), when [auth.basic] is enabled
//   60  the session cookie from POST /login
//
// The org a request acts in comes from `?targetOrgId=` (when > 0), else the
// `X-Grafana-Org-Id` header; a value that does not parse is ignored.
import type { GatehouseError } from '../core/errors.js';
import { GrafanaErrors as G, grafanaShapeOf } from '../core/grafana/errors.js';
import type { GrafanaCore, GrafanaIdentity } from '../core/grafana/grafana-core.js';
import { header, queryParam, type AuthRequest } from './pipeline.js';
import type { MaybePromise } from '../core/maybe-promise.js';
import { grafanaApiKey } from './steps/grafana-api-key.js';
import { grafanaBasic } from './steps/grafana-basic.js';
import { grafanaSession } from './steps/grafana-session.js';

export interface GrafanaAuthStep {
  readonly name: string;
  /** Grafana's Test(): does the request carry this kind of credential? */
  test(req: AuthRequest, g: GrafanaCore): boolean;
  /** Proves it, or throws (or rejects with) the GatehouseError Grafana would answer with. */
  authenticate(req: AuthRequest, g: GrafanaCore, requestedOrg: number): MaybePromise<GrafanaIdentity>;
}

export const grafanaPipeline: readonly GrafanaAuthStep[] = [grafanaApiKey, grafanaBasic, grafanaSession];

const INT64 = /^[+-]?\d{1,19}$/;

/** Go's strconv.ParseInt(s, 10, 64), or 0 when it does not parse. */
function parseOrgId(v: string | undefined): number {
  if (v === undefined || !INT64.test(v)) return 0;
  const n = BigInt(v);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return 0;
  return Number(n);
}

/** Grafana's orgIDFromRequest: `?targetOrgId=` when > 0, else X-Grafana-Org-Id, else 0 (the default org). */
export function requestedOrgId(req: AuthRequest): number {
  const q = parseOrgId(queryParam(req, 'targetOrgId'));
  if (q > 0) return q;
  return parseOrgId(header(req, 'x-grafana-org-id'));
}

/**
 * Runs the pipeline; null only when nothing was presented and `authRequired` is
 * false. Synchronous while the steps are (a known key or cached password).
 */
export function authenticateGrafana(req: AuthRequest, g: GrafanaCore, pipeline = grafanaPipeline): MaybePromise<GrafanaIdentity | null> {
  return runSteps(req, g, pipeline, requestedOrgId(req), 0, []);
}

function runSteps(req: AuthRequest, g: GrafanaCore, pipeline: readonly GrafanaAuthStep[], orgId: number, from: number, errors: GatehouseError[]): MaybePromise<GrafanaIdentity | null> {
  for (let i = from; i < pipeline.length; i++) {
    const step = pipeline[i]!;
    if (!step.test(req, g)) continue;
    let r: MaybePromise<GrafanaIdentity>;
    try {
      r = step.authenticate(req, g, orgId);
    } catch (err) {
      errors.push(refusal(err));
      continue;
    }
    if (r instanceof Promise) return r.catch((err) => { errors.push(refusal(err)); return runSteps(req, g, pipeline, orgId, i + 1, errors); });
    return r;
  }
  if (errors.length) throw errors.find((e) => grafanaShapeOf(e)?.shape === 'errutil') ?? errors[0]!;
  if (req.authRequired) throw G.unauthorized();
  return null;
}

/** A step's refusal; anything else (a store failure) is rethrown. */
function refusal(err: unknown): GatehouseError {
  if ((err as Error).name !== 'GatehouseError') throw err;
  return err as GatehouseError;
}
