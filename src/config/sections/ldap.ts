// Moonraker's option names and rules, plus gatehouse extras (TLS, timeouts and
// the LDAP group → Grafana role mapping).
import { ROLES, SCOPES, type Role, type Scope } from '../../core/model.js';
import { bool, int, invalid, list, MAX_TIMER_MS, port, text, type ValueType } from '../values.js';
import { mandatory, option, section } from '../option.js';

const MAPPING = /^(.+?)\s*=>\s*(\S+)(?:\s*@\s*(\S+))?$/;

export interface GroupMapping { group_dn: string; role: Role; org_id: number }

/** `<group dn> => <Viewer|Editor|Admin>[ @orgId]`, org 1 by default. */
function groupMapping(s: string): GroupMapping {
  const m = MAPPING.exec(s);
  const role = m && ROLES.find((r) => r.toLowerCase() === m[2]!.toLowerCase());
  const orgId = m?.[3] === undefined ? 1 : /^\d+$/.test(m[3]) ? Number(m[3]) : 0;
  if (!role || orgId < 1) return invalid(`expected "<group dn> => <${ROLES.join('|')}>[ @orgId]"`);
  return { group_dn: m[1]!, role, org_id: orgId };
}

/** A mapping given as a value (a library embedding): `{ group_dn, role, org_id? }`. */
function groupMappingValue(v: unknown): GroupMapping {
  const m = (v ?? {}) as { group_dn?: unknown; role?: unknown; org_id?: unknown };
  const role = typeof m.role === 'string' ? ROLES.find((r) => r.toLowerCase() === (m.role as string).toLowerCase()) : undefined;
  const orgId = m.org_id ?? 1;
  if (typeof m.group_dn !== 'string' || !role || typeof orgId !== 'number' || !Number.isSafeInteger(orgId) || orgId < 1) {
    return invalid(`expected { group_dn, role: ${ROLES.join('|')}, org_id? }`);
  }
  return { group_dn: m.group_dn, role, org_id: orgId };
}

export interface ScopeMapping { group_dn: string; scope: Scope }
const SCOPE_MAPPING = /^(.+?)\s*=>\s*(\S+)$/;
const scopeNamed = (v: unknown) => (typeof v === 'string' ? SCOPES.find((x) => x === v.toLowerCase()) : undefined);

/** `<group dn> => <read|control|admin>` (issue 20). */
function scopeMapping(s: string): ScopeMapping {
  const m = SCOPE_MAPPING.exec(s);
  const scope = m ? scopeNamed(m[2]) : undefined;
  if (!scope) return invalid(`expected "<group dn> => <${SCOPES.join('|')}>"`);
  return { group_dn: m![1]!, scope };
}

function scopeMappingValue(v: unknown): ScopeMapping {
  const m = (v ?? {}) as { group_dn?: unknown; scope?: unknown };
  const scope = scopeNamed(m.scope);
  if (typeof m.group_dn !== 'string' || !scope) return invalid(`expected { group_dn, scope: ${SCOPES.join('|')} }`);
  return { group_dn: m.group_dn, scope };
}

const membership = ['memberOf', 'isMemberOf'];

const userFilter = Object.assign(text.refine((f) => f.includes('USERNAME'), 'must contain the token USERNAME'), { what: 'an LDAP filter with USERNAME' }) as ValueType<string>;

export const ldap = section("Moonraker's LDAP user source (no [ldap]: no LDAP)", {
  ldap_host: mandatory('The directory\'s host name or address.'),
  ldap_port: option(port, 'Default: 636 with ldap_secure, else 389.'),
  ldap_secure: option(bool, 'ldaps:// (TLS from the first byte).', 'false'),
  base_dn: mandatory('Where users are searched.'),
  bind_dn: option(text, 'The search account (unset: anonymous search); needs bind_password.'),
  bind_password: option(text, 'The search account\'s password; only with bind_dn.'),
  group_dn: option(text, 'Only members of this group may log in.'),
  is_active_directory: option(bool, 'Look users up by sAMAccountName instead of uid.', 'false'),
  user_filter: option(userFilter, 'A search filter with the token USERNAME; overrides is_active_directory.'),
  membership_attribute: option(text, 'memberOf or isMemberOf.', 'memberOf'),
  check_dn_case: option(bool, 'Group DN comparisons are case sensitive.', 'true'),
  start_tls: option(bool, 'StartTLS on the ldap:// connection (not with ldap_secure).', 'false'),
  ca_file: option(text, "PEM file of the CAs trusted for the directory's certificate (default: the system's)."),
  timeout_ms: option(int({ min: 1, max: MAX_TIMER_MS }), 'Bound on one whole login attempt; past it the login answers 503 naming LDAP.', '5000'),
  group_mappings: option(list({ entry: groupMapping, accept: groupMappingValue, what: 'lines of `<group dn> => <Viewer|Editor|Admin>[ @orgId]`' }),
    'LDAP group → org role, first match per org wins (as Grafana).', ''),
  scope_mappings: option(list({ entry: scopeMapping, accept: scopeMappingValue, what: 'lines of `<group dn> => <read|control|admin>`' }),
    'LDAP group → Moonraker scope, first match wins (`*` matches everyone), applied at each login; with mappings, a user no line matches gets read. Without any: new LDAP users are admin (Moonraker\'s behaviour).', ''),
  grafana_admin_group: option(text, 'Members of this group are Grafana server admins (and others are not).'),
}).superRefine((l, ctx) => {
  const issue = (o: string, message: string) => ctx.addIssue({ code: 'custom', path: [o], message });
  if (l.bind_dn !== undefined && l.bind_password === undefined) issue('bind_dn', 'bind_password is required when bind_dn is set');
  if (l.bind_dn === undefined && l.bind_password !== undefined) issue('bind_password', 'is only allowed together with bind_dn');
  if (l.bind_dn !== undefined && l.bind_password === '') issue('bind_password', 'must not be empty (a DN with an empty password is an unauthenticated bind)');
  if (l.ldap_secure && l.start_tls) issue('start_tls', 'cannot be combined with ldap_secure (ldaps:// is already TLS)');
  if (!membership.includes(l.membership_attribute)) issue('membership_attribute', `must be one of ${membership.join(', ')}`);
}).transform((l) => ({ ...l, ldap_port: l.ldap_port ?? (l.ldap_secure ? 636 : 389) }));
