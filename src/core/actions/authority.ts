// One authority for both faces (issue 17 finding 2; docs/security.md, "One
// authority for both faces"): an action on one face never exceeds what the
// caller may do on the other. Every action that deletes, disables or demotes an
// account, or changes a server admin's memberships, asks here first, whichever
// face (or the CLI) it came from.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import type { Identity, User } from '../model.js';

/**
 * What is being done to the account:
 *  - remove:     deleting the account (any face, the CLI, an org removal that orphans it)
 *  - disable:    disabling it
 *  - demote:     taking its server-admin flag away
 *  - membership: changing its role in an org, or removing it from one
 *  - change:     any other change (profile, password, sessions)
 */
export type AccountChange = 'remove' | 'disable' | 'demote' | 'membership' | 'change';

const ENDS_ADMIN: ReadonlySet<AccountChange> = new Set(['remove', 'disable', 'demote']);

export function authority(ctx: Ctx) {
  const { users, orgs } = ctx.ix;

  /** Enabled Grafana server admins (a disabled one cannot administer anything). */
  const enabledAdmins = () => users.list().filter((u) => u.isAdmin && !u.isDisabled).length;

  /** The orgs in which `user` is the only Admin. */
  const lastAdminOf = (user: User) => orgs.orgIdsOf(user.id).filter((orgId) =>
    orgs.roleOf(user.id, orgId) === 'Admin' && orgs.membersOf(orgId).filter(([, role]) => role === 'Admin').length <= 1);

  const a = {
    /** Does the caller hold Grafana server-admin rights? `null` is the CLI: the machine's operator. */
    isServerAdmin(actor: Identity | null): boolean {
      if (actor === null) return true;
      if (actor.kind !== 'user' || actor.userId === null) return false;
      const u = users.getById(actor.userId);
      return !!u && u.isAdmin && !u.isDisabled;
    },

    /** Is the account one only a server admin may delete or change: a server admin, or an org's last Admin? */
    isProtected(target: User, change: AccountChange): boolean {
      if (target.isAdmin) return true;
      return change !== 'membership' && change !== 'change' && lastAdminOf(target).length > 0;
    },

    /**
     * Throws unless `actor` may make `change` to `target`: a protected account needs
     * server-admin rights (403), and the last enabled server admin can never be
     * removed, disabled or demoted (400, Grafana's message), not even by itself or the CLI.
     */
    check(actor: Identity | null, target: User, change: AccountChange): void {
      if (a.isProtected(target, change) && !a.isServerAdmin(actor)) throw fail('ADMIN_RIGHTS_REQUIRED');
      a.checkLastAdmin(target, change);
    },

    /** Is `user` the only enabled server admin? (a directory sync then keeps its flag: login.ts) */
    isLastEnabledAdmin: (user: User): boolean => user.isAdmin && !user.isDisabled && enabledAdmins() <= 1,

    /** The last enabled server admin stays (whoever asks). */
    checkLastAdmin(target: User, change: AccountChange): void {
      if (ENDS_ADMIN.has(change) && target.isAdmin && !target.isDisabled && enabledAdmins() <= 1) throw fail('LAST_SERVER_ADMIN');
    },
  };
  return a;
}

export type Authority = ReturnType<typeof authority>;
