// Grafana's response shapes: timestamps, avatars, ages, user and org DTOs.
import { createHash } from 'node:crypto';
import type { Core } from '../../core/core.js';
import type { ApiKey, User } from '../../core/model.js';
import type { ServiceAccount } from '../../core/actions/service-accounts.js';

/** A Go time.Time as JSON (RFC 3339, UTC, whole seconds as Grafana's columns hold them). */
export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** dtos.GetGravatarUrl: /avatar/<md5 of the trimmed, lower-cased text>, '' for no text. */
export function avatarUrl(text: string | null | undefined): string {
  const t = (text ?? '').trim().toLowerCase();
  return t ? `/avatar/${createHash('md5').update(t).digest('hex')}` : '';
}

/** util.GetAgeString */
export function ageString(ms: number, now = Date.now()): string {
  const minutes = (now - ms) / 60_000;
  const units: [number, string][] = [[525600, 'y'], [43800, 'M'], [1440, 'd'], [60, 'h'], [1, 'm']];
  for (const [size, unit] of units) {
    const n = Math.floor(minutes / size);
    if (n > 0) return `${n}${unit}`;
  }
  return '< 1 minute';
}

/** Grafana stores the login as email when none is given. */
export const emailOf = (u: User) => u.email ?? u.username;

const TEN_YEARS_MS = 10 * 365.25 * 86400_000;

/** When the account was last seen here; never-seen accounts read "10 years ago", as Grafana initialises them. */
export const lastSeenOf = (core: Core, u: User) => core.verify.lastSeen.get(u.id) ?? u.createdAt - TEN_YEARS_MS;

export function userProfile(u: User) {
  const external = u.source === 'ldap';
  return {
    id: u.id,
    uid: u.uid,
    email: emailOf(u),
    name: u.name,
    login: u.username,
    theme: '',
    orgId: u.orgId,
    isGrafanaAdmin: u.isAdmin,
    isDisabled: u.isDisabled,
    isExternal: external,
    isExternallySynced: external,
    isGrafanaAdminExternallySynced: false,
    authLabels: external ? ['LDAP'] : [],
    updatedAt: rfc3339(u.updatedAt),
    createdAt: rfc3339(u.createdAt),
    avatarUrl: avatarUrl(emailOf(u)),
  };
}

export function orgDetails(o: { id: number; name: string }) {
  return { id: o.id, name: o.name, address: { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' } };
}

export function orgUser(core: Core, orgId: number, u: User, role: string) {
  const seen = lastSeenOf(core, u);
  return {
    orgId,
    userId: u.id,
    uid: u.uid,
    email: emailOf(u),
    name: u.name,
    avatarUrl: avatarUrl(emailOf(u)),
    login: u.username,
    role,
    lastSeenAt: rfc3339(seen),
    lastSeenAtAge: ageString(seen),
    authLabels: u.source === 'ldap' ? ['LDAP'] : null,
    isDisabled: u.isDisabled,
    isExternallySynced: u.source === 'ldap',
  };
}

/** GET /api/auth/keys element; `expiration` omitted when the key never expires. */
export function apiKeyDto(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    ...(k.expiresAt !== null ? { expiration: rfc3339(k.expiresAt) } : {}),
    lastUsedAt: k.lastUsedAt === null ? null : rfc3339(k.lastUsedAt),
  };
}

/** The fields both of Grafana's service-account shapes start with, in its order. */
function serviceAccountHead(sa: ServiceAccount) {
  return { id: sa.user.id, name: sa.user.name, login: sa.user.username, orgId: sa.orgId, isDisabled: sa.user.isDisabled };
}

export function serviceAccountDto(core: Core, sa: ServiceAccount) {
  return {
    ...serviceAccountHead(sa),
    role: sa.role,
    tokens: core.keys.tokensOf(sa.user.id).length,
    avatarUrl: avatarUrl(sa.user.name),
  };
}

export function serviceAccountProfile(core: Core, sa: ServiceAccount) {
  return {
    ...serviceAccountHead(sa),
    createdAt: rfc3339(sa.user.createdAt),
    updatedAt: rfc3339(sa.user.updatedAt),
    avatarUrl: avatarUrl(sa.user.name),
    role: sa.role,
    teams: [] as string[],
    tokens: core.keys.tokensOf(sa.user.id).length,
  };
}

const WEEK_S = 7 * 86400;

/** GET /api/serviceaccounts/:id/tokens element. */
export function tokenDto(k: ApiKey, now = Date.now()) {
  const left = k.expiresAt === null ? 0 : (k.expiresAt - now) / 1000;
  return {
    id: k.id,
    name: k.name,
    created: rfc3339(k.createdAt),
    lastUsedAt: k.lastUsedAt === null ? null : rfc3339(k.lastUsedAt),
    expiration: k.expiresAt === null ? null : rfc3339(k.expiresAt),
    secondsUntilExpiration: left > 0 && left < WEEK_S ? left : 0,
    hasExpired: k.expiresAt !== null && k.expiresAt <= now,
    isRevoked: k.isRevoked,
  };
}

/** GET /api/users(/search) element (UserSearchHitDTO). */
export function userHit(core: Core, u: User) {
  const seen = lastSeenOf(core, u);
  return {
    id: u.id, uid: u.uid, name: u.name, login: u.username, email: emailOf(u), avatarUrl: avatarUrl(emailOf(u)),
    isAdmin: u.isAdmin, isDisabled: u.isDisabled, lastSeenAt: rfc3339(seen), lastSeenAtAge: ageString(seen),
    authLabels: u.source === 'ldap' ? ['LDAP'] : [],
  };
}
