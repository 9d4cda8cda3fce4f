// The whole configuration: one zod schema per INI section (see sections/),
// fed the raw option strings of each section. Keys of Config are the section
// names with dots turned into `_` (`[auth.basic]` → `auth_basic`); option keys
// are the option names exactly as written in the INI file (snake_case).
import { z } from 'zod';
import { gatehouse } from './sections/gatehouse.js';
import { authorization } from './sections/authorization.js';
import { ldap } from './sections/ldap.js';
import { auth } from './sections/auth.js';
import { authBasic } from './sections/auth-basic.js';
import { security } from './sections/security.js';
import { users } from './sections/users.js';
import { serviceAccounts } from './sections/service-accounts.js';
import { quota } from './sections/quota.js';
import { audit } from './sections/audit.js';
import { limits } from './sections/limits.js';
import { gateway } from './sections/gateway.js';

/** Every section gatehouse reads, by its INI name. */
export const SECTIONS = {
  gatehouse, authorization, ldap, auth, 'auth.basic': authBasic, security, users,
  service_accounts: serviceAccounts, quota, audit, limits, gateway,
} as const;
export type SectionName = keyof typeof SECTIONS;

/** Sections named after Grafana's; GF_* environment variables reach only these. */
export const GRAFANA_SECTIONS: readonly SectionName[] = ['auth', 'auth.basic', 'security', 'users', 'service_accounts', 'quota'];

export const configSchema = z.object({
  gatehouse,
  authorization,
  /** Absent when nothing configures [ldap]. */
  ldap: ldap.optional(),
  auth,
  auth_basic: authBasic,
  security,
  users,
  service_accounts: serviceAccounts,
  quota,
  audit,
  limits,
  gateway,
}).superRefine((c, ctx) => {
  if (c.authorization.default_source === 'ldap' && !c.ldap) {
    ctx.addIssue({ code: 'custom', path: ['authorization', 'default_source'], message: 'is "ldap" but [ldap] is not configured' });
  }
  const gatewayProblem = gatewayConflict(c.gateway.moonraker_upstream, c.gatehouse);
  if (gatewayProblem) ctx.addIssue({ code: 'custom', path: ['gateway', 'moonraker_upstream'], message: gatewayProblem });
});

export type Config = z.infer<typeof configSchema>;

/**
 * Why the faces cannot share the Moonraker listener with a gateway in front of
 * a Moonraker (undefined: they can). Also checked by createGatehouse for library use.
 */
export function gatewayConflict(
  upstream: string | undefined,
  g: { moonraker_enabled: boolean; grafana_enabled: boolean; grafana_port?: number },
): string | undefined {
  if (!upstream) return undefined;
  if (!g.moonraker_enabled) return 'needs the Moonraker face ([gatehouse] moonraker_enabled)';
  if (g.grafana_enabled && g.grafana_port === undefined) {
    return 'the Grafana face needs a listener of its own: Moonraker has /api routes of its own, which the gateway forwards. ' +
      'Set [gatehouse] grafana_port (e.g. 3001), or grafana_enabled: False';
  }
  return undefined;
}

/** `auth.basic` → `auth_basic`: a section's key in Config. */
export const configKey = (section: SectionName) => section.replace(/\./g, '_') as keyof Config;

/** The option names a section accepts. */
export function optionNames(section: SectionName): string[] {
  const s: z.ZodType = SECTIONS[section];
  const object = (s instanceof z.ZodPipe ? s.in : s) as z.ZodObject; // [ldap] is piped through a transform
  return Object.keys(object.shape);
}

/** The configuration with nothing set. */
export function defaultConfig(): Config {
  const raw: Record<string, object> = {};
  for (const section of Object.keys(SECTIONS) as SectionName[]) if (section !== 'ldap') raw[configKey(section)] = {};
  return configSchema.parse(raw);
}
