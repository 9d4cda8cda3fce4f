// A user source proves a username/password pair. Moonraker calls them "sources":
// "moonraker" (local accounts in the store) and "ldap".
import type { Role, Scope, User } from '../model.js';

/** What an external source says about a user, applied at each login. */
export interface ExternalProfile {
  /** The account's canonical name: the directory entry's own name attribute as stored (uid), whatever spelling was typed. */
  username?: string;
  /** Org memberships to apply (LDAP group mappings). */
  orgRoles?: { orgId: number; role: Role }[];
  isGrafanaAdmin?: boolean;
  /** The Moonraker scope ([ldap] scope_mappings). */
  scope?: Scope;
  email?: string | null;
  name?: string;
}

export interface UserSource {
  readonly name: string;
  /** Throws a CoreError when the credentials are refused. */
  authenticate(username: string, password: string, existing: User | undefined): Promise<ExternalProfile | void>;
}

export interface SourceLog {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}
