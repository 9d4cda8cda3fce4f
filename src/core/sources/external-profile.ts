// Accounts owned by an external source (LDAP): the record Moonraker creates at
// first login, and what the directory says about the user applied at each
// login: name, email, Grafana server admin, and org roles synced the way
// Grafana syncs them (mapped orgs added or re-roled, other memberships removed,
// the active org moved to a mapped one; orgs that do not exist are skipped).
// The store writes are the caller's (one write() for the whole sync).
import type { Membership, User, UserPatch } from '../model.js';
import type { Store } from '../../store/types.js';
import { DuplicateError } from '../../store/types.js';
import type { ExternalProfile } from './types.js';

/** Syncs the org memberships the profile names; returns whether anything changed and the user's active org to use. */
async function syncOrgs(store: Store, user: User, p: ExternalProfile): Promise<{ changed: boolean; activeOrg?: number }> {
  if (!p.orgRoles?.length) return { changed: false };
  const wanted = new Map(p.orgRoles.map((r) => [r.orgId, r.role]));
  const have: Membership[] = await store.orgs.membershipsOfUser(user.id);
  const member = new Set<number>();
  let changed = false;
  for (const m of have) {
    const role = wanted.get(m.orgId);
    if (role === undefined) {
      if (await store.orgs.removeMember(m.orgId, user.id)) changed = true;
      continue;
    }
    member.add(m.orgId);
    if (role !== m.role) {
      await store.orgs.setRole(m.orgId, user.id, role);
      changed = true;
    }
  }
  for (const [orgId, role] of wanted) {
    if (member.has(orgId) || !(await store.orgs.byId(orgId))) continue;
    await store.orgs.addMember(orgId, user.id, role);
    member.add(orgId);
    changed = true;
  }
  const active = p.orgRoles.find((r) => member.has(r.orgId));
  return { changed, activeOrg: !member.has(user.orgId) && active ? active.orgId : undefined };
}

/**
 * Applies a profile to the account in the store; whether anything was written.
 * `keepAdmin`: the account is the last enabled server admin, whom nothing demotes
 * (docs/security.md, "One authority for both faces").
 */
export async function applyExternalProfile(store: Store, user: User, p: ExternalProfile, o: { keepAdmin?: boolean } = {}): Promise<boolean> {
  const orgs = await syncOrgs(store, user, p);
  const patch: UserPatch = {};
  if (orgs.activeOrg !== undefined) patch.orgId = orgs.activeOrg;
  if (p.isGrafanaAdmin !== undefined && p.isGrafanaAdmin !== user.isAdmin && !(o.keepAdmin && !p.isGrafanaAdmin)) patch.isAdmin = p.isGrafanaAdmin;
  if (p.name && p.name !== user.name) patch.name = p.name;
  if (p.scope !== undefined && p.scope !== user.scope) patch.scope = p.scope;
  let changed = orgs.changed;
  if (Object.keys(patch).length) {
    await store.users.update(user.id, patch);
    changed = true;
  }
  if (p.email && p.email !== user.email) {
    try {
      await store.users.update(user.id, { email: p.email });
      changed = true;
    } catch (err) {
      if (!(err instanceof DuplicateError)) throw err; // another account has this email: keep ours
    }
  }
  return changed;
}
