// Accounts owned by an external source (LDAP): the record Moonraker creates at
// first login, and what the directory says about the user applied at each
// login: name, email, Grafana server admin, and org roles synced the way
// Grafana syncs them (mapped orgs added or re-roled, other memberships removed,
// the active org moved to a mapped one; orgs that do not exist are skipped).
import type { Store, UserRecord, UserPatch } from '../../store/types.js';
import type { UserDirectory } from '../users.js';
import type { ExternalProfile } from './types.js';

const isDuplicate = (err: unknown) => (err as Error | undefined)?.name === 'DuplicateError';

/** Creates the record of an external user at first login (a Viewer in `orgId`), tolerating a concurrent first login. */
export async function createExternalUser(users: UserDirectory, store: Store, username: string, source: string, profile: ExternalProfile, orgId: number): Promise<UserRecord> {
  const create = (email: string | null) => users.create({
    username, email, name: profile.name ?? '', passwordHash: null, source,
    isAdmin: false, isServiceAccount: false, isDisabled: false, orgId,
    memberships: [{ orgId, role: 'Viewer' }],
  });
  let user: UserRecord;
  try {
    user = await create(profile.email ?? null);
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    // Either the same user logged in concurrently, or another account already has this email.
    const existing = await users.fetch(username);
    if (existing) return existing;
    user = await create(null);
  }
  return user;
}

/** Applies a profile to the account; `changed` says whether anything was written. */
export async function applyExternalProfile(users: UserDirectory, store: Store, user: UserRecord, p: ExternalProfile): Promise<{ user: UserRecord; changed: boolean }> {
  let changed = false;
  let current = user;

  if (p.orgRoles?.length) {
    const wanted = new Map(p.orgRoles.map((r) => [r.orgId, r.role]));
    const have = await store.orgs.membershipsOfUser(user.id);
    const member = new Set<number>();
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
    if (!member.has(user.orgId) && active) {
      current = (await users.update(user.id, { orgId: active.orgId })) ?? current;
      changed = true;
    }
  }

  const patch: UserPatch = {};
  if (p.isGrafanaAdmin !== undefined && p.isGrafanaAdmin !== current.isAdmin) patch.isAdmin = p.isGrafanaAdmin;
  if (p.name && p.name !== current.name) patch.name = p.name;
  if (Object.keys(patch).length) {
    current = (await users.update(user.id, patch)) ?? current;
    changed = true;
  }
  if (p.email && p.email !== current.email) {
    try {
      current = (await users.update(user.id, { email: p.email })) ?? current;
      changed = true;
    } catch (err) {
      if (!isDuplicate(err)) throw err; // another account has this email: keep ours
    }
  }
  return { user: current, changed };
}
