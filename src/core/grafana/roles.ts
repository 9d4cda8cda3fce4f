// Grafana's org roles: Viewer < Editor < Admin. "None" (G10+) is not accepted
// anywhere gatehouse assigns roles.
import { ROLES, type Role } from '../../store/types.js';

const RANK: Record<Role, number> = { Viewer: 1, Editor: 2, Admin: 3 };

export const isRole = (x: unknown): x is Role => typeof x === 'string' && (ROLES as readonly string[]).includes(x);

/** Does `have` include everything `want` may do (Grafana's RoleType.Includes)? */
export const roleIncludes = (have: Role | null | undefined, want: Role): boolean => !!have && RANK[have] >= RANK[want];
