// What a directory entry says about its user: group membership (for group_dn),
// the org roles of group_mappings (first match per org wins, as Grafana), server
// admin, the Moonraker scope of scope_mappings, display name and email.
import type { Entry } from 'ldapts';
import type { Config } from '../../../config/schema.js';
import type { ExternalProfile } from '../types.js';

type LdapConfig = NonNullable<Config['ldap']>;

/** An attribute's values as strings, whatever the case of its name in the entry. */
export function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const v = key === undefined ? undefined : entry[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

/** Membership test over the entry's groups (`*` matches everyone). */
export function memberOf(c: LdapConfig, entry: Entry): (dn: string) => boolean {
  const groups = values(entry, c.membership_attribute);
  const fold = (s: string) => (c.check_dn_case ? s : s.toLowerCase());
  const have = new Set(groups.map(fold));
  return (dn) => dn === '*' || have.has(fold(dn));
}

/** The profile, or 'no_mapped_group' when mappings are configured and none matches (Grafana then refuses the login). */
export function profileOf(c: LdapConfig, entry: Entry, isMember: (dn: string) => boolean): ExternalProfile | 'no_mapped_group' {
  const isGrafanaAdmin = c.grafana_admin_group === undefined ? undefined : isMember(c.grafana_admin_group);
  let orgRoles: ExternalProfile['orgRoles'];
  if (c.group_mappings.length) {
    orgRoles = [];
    for (const m of c.group_mappings) {
      if (!orgRoles.some((r) => r.orgId === m.org_id) && isMember(m.group_dn)) orgRoles.push({ orgId: m.org_id, role: m.role });
    }
    if (orgRoles.length === 0 && !isGrafanaAdmin) return 'no_mapped_group';
  }
  // scope_mappings: the first line whose group the user is in; none: read (least privilege)
  const scope = c.scope_mappings.length ? c.scope_mappings.find((m) => isMember(m.group_dn))?.scope ?? 'read' : undefined;
  const name = values(entry, 'displayName')[0] ?? values(entry, 'cn')[0];
  const email = values(entry, 'mail')[0];
  return {
    ...(orgRoles ? { orgRoles } : {}),
    ...(isGrafanaAdmin === undefined ? {} : { isGrafanaAdmin }),
    ...(scope === undefined ? {} : { scope }),
    ...(email ? { email } : {}),
    ...(name ? { name } : {}),
  };
}
