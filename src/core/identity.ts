// Who a request acts as, whatever credential proved it.
import type { Role } from '../store/types.js';

export type IdentityKind =
  | 'user' // a real account (JWT, session cookie, basic auth, LDAP)
  | 'api_key' // Moonraker's global API key (_API_KEY_USER_)
  | 'trusted' // a trusted client address (_TRUSTED_USER_)
  | 'grafana_api_key' // a legacy Grafana API key (acts with the key's role)
  | 'service_account'; // a Grafana service-account token

export const API_USER = '_API_KEY_USER_';
export const TRUSTED_USER = '_TRUSTED_USER_';
export const RESERVED_USERS = [API_USER, TRUSTED_USER];

export interface Identity {
  kind: IdentityKind;
  username: string;
  source: string;
  /** Unix seconds (float), as Moonraker reports created_on. */
  createdOn: number;
  userId: number | null;
  /** Login family of the JWT that proved it, when there is one. */
  sessionId?: string;
  /** Which credential proved it (for audit and logs; never the secret). */
  via: string;
  /** Grafana face: the org this request acts in and the role there. */
  orgId?: number;
  orgRole?: Role | null;
  apiKeyId?: number;
}
