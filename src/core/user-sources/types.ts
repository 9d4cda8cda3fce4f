// A user source proves a username/password pair. Moonraker calls them "sources":
// "moonraker" (local accounts in the store) and "ldap".
import type { UserRecord } from '../../store/types.js';

export interface ExternalProfile {
  /** Org memberships to apply at each login (LDAP group mappings). */
  orgRoles?: { orgId: number; role: 'Viewer' | 'Editor' | 'Admin' }[];
  isGrafanaAdmin?: boolean;
  email?: string | null;
  name?: string;
}

export interface UserSource {
  readonly name: string;
  /** Throws a GatehouseError when the credentials are refused. */
  authenticate(username: string, password: string, existing: UserRecord | undefined): Promise<ExternalProfile | void>;
}
