// The whole configuration: one section schema per INI section (sections/), each
// option defined once there with its type, default and documentation. The
// config file, the environment and a library embedding all go through it.
// Keys of Config are the section names with dots turned into `_` (`[auth.basic]`
// → `auth_basic`); option keys are the option names as written in the INI file.
import { z } from 'zod';
import { gatehouse } from './sections/gatehouse.js';
import { authorization } from './sections/authorization.js';
import { ldap } from './sections/ldap.js';
import { auth, authBasic, quota, security, serviceAccounts, users } from './sections/grafana.js';
import { audit, limits } from './sections/limits.js';
import { gateway, gatewayConflict } from './sections/gateway.js';
import { secrets } from './sections/secrets.js';

/** Every section gatehouse reads, by its INI name, in the docs' order. */
export const SECTIONS = {
  gatehouse, authorization, ldap, auth, 'auth.basic': authBasic, security, users,
  service_accounts: serviceAccounts, quota, limits, audit, gateway, secrets,
} as const;
export type SectionName = keyof typeof SECTIONS;

/** Sections named after Grafana's; GF_* environment variables reach only these. */
export const GRAFANA_SECTIONS: readonly SectionName[] = ['auth', 'auth.basic', 'security', 'users', 'service_accounts', 'quota'];

const sectionDefault = <S extends z.ZodType>(s: S) => s.prefault({} as z.input<S>);

export const configSchema = z.object({
  gatehouse: sectionDefault(gatehouse),
  authorization: sectionDefault(authorization),
  /** Absent when nothing configures [ldap]. */
  ldap: ldap.optional(),
  auth: sectionDefault(auth),
  auth_basic: sectionDefault(authBasic),
  security: sectionDefault(security),
  users: sectionDefault(users),
  service_accounts: sectionDefault(serviceAccounts),
  quota: sectionDefault(quota),
  limits: sectionDefault(limits),
  audit: sectionDefault(audit),
  gateway: sectionDefault(gateway),
  secrets: sectionDefault(secrets),
}).superRefine((c, ctx) => {
  const problem = gatewayConflict(c.gateway.moonraker_upstream, c.gatehouse);
  if (problem) ctx.addIssue({ code: 'custom', path: ['gateway', 'moonraker_upstream'], message: problem });
});

/**
 * A configuration file must be whole: a default_source of "ldap" needs [ldap].
 * (A library embedding may add its LDAP source itself: core.addSource.)
 */
export const fileConfigSchema = configSchema.superRefine((c, ctx) => {
  if (c.authorization.default_source === 'ldap' && !c.ldap) {
    ctx.addIssue({ code: 'custom', path: ['authorization', 'default_source'], message: 'is "ldap" but [ldap] is not configured' });
  }
});

export type Config = z.output<typeof configSchema>;
/** What a library embedding passes: the config file's sections and option names, typed values or strings, any left out. */
export type ConfigInput = z.input<typeof configSchema>;

/** `auth.basic` → `auth_basic`: a section's key in Config. */
export const configKey = (section: SectionName) => section.replace(/\./g, '_') as keyof Config;

/** A section's object schema (under [ldap]'s refinements). */
export function sectionShape(section: SectionName): Record<string, z.ZodType> {
  const s: z.ZodType = SECTIONS[section];
  const object = (s instanceof z.ZodPipe ? s.in : s) as z.ZodType;
  return (object instanceof z.ZodObject ? object : (object as unknown as { in: z.ZodObject }).in).shape as Record<string, z.ZodType>;
}

/** The option names a section accepts. */
export const optionNames = (section: SectionName): string[] => Object.keys(sectionShape(section));

/** The configuration with nothing set. */
export const defaultConfig = (): Config => configSchema.parse({});
