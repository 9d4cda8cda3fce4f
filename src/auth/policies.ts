// Who may prove what, in which order, on each face: ONE table. Each row is a
// credential step (steps/, one file per kind) and what a refusal of it does:
//   stop     the refusal is the answer;
//   next     as if the credential were absent: try the next row;
//   collect  try the next row; if none succeeds, the first refusal collected is
//            the answer (Grafana's authn: every client whose Test() matches runs
//            in priority order and the first errutil error wins; the API-key and
//            Basic refusals are all errutil, so the first collected one it is).
//   required as next on routes that work without credentials; on the others,
//            as collect (a trusted address's cross-site form: 403, not 401).
// With no identity and no refusal, `none` answers (on routes that need auth).
// Adding a credential kind: one step file and one line here.
import type { CoreCode } from '../core/errors.js';
import type { Step } from './step.js';
import { moonrakerJwt } from './steps/moonraker-jwt.js';
import { oneshotToken } from './steps/oneshot-token.js';
import { moonrakerApiKey } from './steps/moonraker-api-key.js';
import { forceLogins } from './steps/force-logins.js';
import { trustedClient } from './steps/trusted-client.js';
import { grafanaApiKey } from './steps/grafana-api-key.js';
import { grafanaBasic } from './steps/grafana-basic.js';
import { grafanaSession } from './steps/grafana-session.js';
import { connectionIdentity, identifyApiKey, identifyToken } from './steps/identify.js';
import { forwardJwt } from './steps/forward-jwt.js';

export type Refusal = 'stop' | 'next' | 'collect' | 'required';
export interface Row { step: Step<any>; refusal: Refusal }
export interface Policy { name: string; rows: readonly Row[]; none: CoreCode }

const row = (step: Step<any>, refusal: Refusal): Row => ({ step, refusal });

/** Moonraker's authorization.py `authenticate_request`. */
const moonraker = [
  row(moonrakerJwt,    'stop'),    // Authorization: Bearer, X-Access-Token, ?access_token=
  row(oneshotToken,    'next'),    // ?token=, same address, once, 5 s
  row(moonrakerApiKey, 'next'),    // X-Api-Key
  row(forceLogins,     'stop'),    // a user exists: no trusted clients
  row(trustedClient,   'required'), // trusted_clients (an allowed Host; a same-site state change)
] as const;

/** Grafana's authn clients by priority: API key / SA token (30), Basic (40), session cookie (60). */
const grafana = [
  row(grafanaApiKey,   'collect'), // Bearer <key>, Basic api_key:<key>
  row(grafanaBasic,    'collect'), // Basic user:password ([auth.basic] enabled)
  row(grafanaSession,  'collect'), // the login_cookie_name cookie
] as const;

export const POLICIES = {
  /** /access/* over HTTP. */
  moonrakerHttp:     { name: 'moonraker http',              none: 'UNAUTHORIZED',         rows: moonraker },
  /** What the gateway forwards to the Moonraker behind it (faces/gateway): Moonraker's own rows. */
  gateway:           { name: 'gateway',                     none: 'UNAUTHORIZED',         rows: moonraker },
  /** The /websocket upgrade (a refusal opens the socket needing auth, in the face). */
  moonrakerUpgrade:  { name: 'moonraker websocket upgrade', none: 'UNAUTHORIZED',         rows: moonraker },
  /** server.connection.identify. */
  moonrakerIdentify: { name: 'moonraker identify',          none: 'UNAUTHORIZED',         rows: [
    row(identifyToken,      'stop'), // access_token param
    row(identifyApiKey,     'stop'), // api_key param, unauthenticated connections only
    row(connectionIdentity, 'stop'), // what the upgrade (or a login) proved
  ] },
  /**
   * A websocket whose user logged out (or was deleted) falls back to its address's
   * trust: logout ends the user's tokens, not the address's (a deliberate
   * difference: Moonraker's socket then needs auth). force_logins still applies.
   */
  moonrakerLogoutFallback: { name: 'moonraker logout fallback', none: 'UNAUTHORIZED', rows: [
    row(forceLogins,   'stop'),
    row(trustedClient, 'next'),
  ] },
  /** /api/*, the web pages. */
  grafana:           { name: 'grafana',                     none: 'GRAFANA_UNAUTHORIZED', rows: grafana },
  /**
   * /auth/verify (faces/forward-auth): any credential a reverse proxy forwards,
   * Moonraker's first, then (with the Grafana face on) Grafana's. Not trusted
   * addresses or force_logins (the request comes from the proxy), nor oneshot
   * tokens or ?access_token= (in the original URL, which the proxy does not forward).
   */
  forwardAuth:       { name: 'forward auth',                none: 'UNAUTHORIZED',         rows: [
    row(forwardJwt,      'stop'),    // Bearer <a JWT>, X-Access-Token
    row(moonrakerApiKey, 'next'),    // X-Api-Key
    ...grafana,
  ] },
} satisfies Record<string, Policy>;
