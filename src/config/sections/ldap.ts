// [ldap]: Moonraker's option names and rules, plus gatehouse extras (TLS,
// timeouts and the LDAP group → Grafana role mapping).
import { z } from 'zod';
import { bool, int, invalid, list, port, required } from '../values.js';

export const GRAFANA_ROLES = ['Viewer', 'Editor', 'Admin'] as const;
const MAPPING = /^(.+?)\s*=>\s*(\S+)(?:\s*@\s*(\S+))?$/;

/** `<group dn> => <Viewer|Editor|Admin>[ @orgId]`, org 1 by default. */
function groupMapping(s: string) {
  const m = MAPPING.exec(s);
  const role = m && GRAFANA_ROLES.find((r) => r.toLowerCase() === m[2]!.toLowerCase());
  const orgId = m?.[3] === undefined ? 1 : /^\d+$/.test(m[3]) ? Number(m[3]) : 0;
  if (!role || orgId < 1) return invalid(`expected "<group dn> => <${GRAFANA_ROLES.join('|')}>[ @orgId]"`);
  return { group_dn: m[1]!, role, org_id: orgId };
}

export const ldap = z.object({
  ldap_host: required,
  /** Default: 636 with ldap_secure, else 389. */
  ldap_port: port.optional(),
  ldap_secure: bool.default(false),
  base_dn: required,
  bind_dn: z.string().optional(),
  bind_password: z.string().optional(),
  group_dn: z.string().optional(),
  is_active_directory: bool.default(false),
  user_filter: z.string().refine((f) => f.includes('USERNAME'), 'must contain the token USERNAME').optional(),
  membership_attribute: z.string().default('memberOf'),
  check_dn_case: bool.default(true),
  // gatehouse extras
  start_tls: bool.default(false),
  ca_file: z.string().optional(),
  timeout_ms: int({ min: 1 }).default(5000),
  group_mappings: list({ entry: groupMapping }).default(() => []),
  /** Members of this group are Grafana server admins. */
  grafana_admin_group: z.string().optional(),
}).superRefine((l, ctx) => {
  const issue = (option: string, message: string) => ctx.addIssue({ code: 'custom', path: [option], message });
  if (l.bind_dn !== undefined && l.bind_password === undefined) issue('bind_dn', 'bind_password is required when bind_dn is set');
  if (l.bind_dn === undefined && l.bind_password !== undefined) issue('bind_password', 'is only allowed together with bind_dn');
  if (l.ldap_secure && l.start_tls) issue('start_tls', 'cannot be combined with ldap_secure (ldaps:// is already TLS)');
}).transform((l) => ({ ...l, ldap_port: l.ldap_port ?? (l.ldap_secure ? 636 : 389) }));
