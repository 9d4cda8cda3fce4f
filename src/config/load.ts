// Builds the Config from, lowest precedence first: defaults, the INI file,
// the environment (GF_* below GATEHOUSE_*), and command-line overrides.
// Values stay raw strings until every source is merged, then each section is
// parsed once by its zod schema; errors name where the bad string came from.
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import { parseIni } from './ini.js';
import { SecretsResolver } from './secrets.js';
import { configKey, fileConfigSchema, GRAFANA_SECTIONS, optionNames, SECTIONS, type Config, type SectionName } from './schema.js';

export interface LoadOptions {
  /** moonraker.conf, grafana.ini or a gatehouse file (same syntax). */
  file?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Command-line flags; these win over everything. */
  overrides?: { host?: string; port?: number; dataDir?: string };
}

export interface Loaded {
  config: Config;
  warnings: string[];
}

/** A raw value and where it came from: "file:line", an env var name or a flag (`file`: from the config file). */
interface Setting { value: string; origin: string; file?: boolean }

const isSection = (name: string): name is SectionName => Object.hasOwn(SECTIONS, name);
/** The env var spelling of a section: upper case, dots (and spaces, dashes) → `_`. */
const envSection = (section: string) => section.toUpperCase().replace(/[.\s-]/g, '_');
const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];

export function loadConfig(o: LoadOptions = {}): Loaded {
  const env = o.env ?? process.env;
  const warnings: string[] = [];
  const settings = new Map<SectionName, Map<string, Setting>>(SECTION_NAMES.map((s) => [s, new Map()]));
  /** Where each section was first mentioned, for errors about options nobody set. */
  const mentioned = new Map<SectionName, string>();
  const set = (section: SectionName, option: string, value: string, origin: string, file?: boolean) => {
    settings.get(section)!.set(option, { value: value.trim(), origin, ...(file ? { file } : {}) });
    if (!mentioned.has(section)) mentioned.set(section, origin);
  };

  if (o.file) readConfigFile(o.file, set, mentioned, warnings);

  // Grafana's convention GF_<SECTION>_<OPTION>, for Grafana's own sections.
  // Other GF_* variables belong to Grafana and are left alone.
  for (const section of GRAFANA_SECTIONS) {
    for (const option of optionNames(section)) {
      const name = `GF_${envSection(section)}_${option.toUpperCase()}`;
      const value = env[name];
      if (value !== undefined) set(section, option, value, name);
    }
  }

  // GATEHOUSE_<SECTION>__<OPTION>; GATEHOUSE_* variables without `__` are not options.
  for (const name of Object.keys(env).sort()) {
    const m = /^GATEHOUSE_(.+?)__(.+)$/.exec(name);
    if (!m || env[name] === undefined) continue;
    const section = SECTION_NAMES.find((s) => envSection(s) === m[1]);
    if (!section) throw new ConfigError(`${name}: unknown section "${m[1]}" (known: ${SECTION_NAMES.map(envSection).join(', ')})`);
    const option = m[2]!.toLowerCase();
    if (!optionNames(section).includes(option)) throw new ConfigError(`${name}: [${section}] ${option}: unknown option`);
    set(section, option, env[name]!, name);
  }

  const flags = o.overrides ?? {};
  if (flags.host !== undefined) set('gatehouse', 'host', flags.host, '--host');
  if (flags.port !== undefined) set('gatehouse', 'port', String(flags.port), '--port');
  if (flags.dataDir !== undefined) set('gatehouse', 'data_dir', flags.dataDir, '--data-dir');

  renderSecrets(settings, o.file, warnings);

  // An empty value means "not set": the option keeps its default.
  const raw: Record<string, Record<string, string>> = {};
  for (const [section, options] of settings) {
    if (section === 'ldap' && !mentioned.has('ldap')) continue; // no [ldap] anywhere: LDAP is off
    raw[configKey(section)] = Object.fromEntries([...options].filter(([, s]) => s.value !== '').map(([k, s]) => [k, s.value]));
  }

  const parsed = fileConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => {
      const section = SECTION_NAMES.find((s) => configKey(s) === issue.path[0])!;
      const option = String(issue.path[1]);
      const origin = settings.get(section)?.get(option)?.origin ?? mentioned.get(section) ?? o.file ?? 'defaults';
      return `${origin}: [${section}] ${option}: ${issue.message}`;
    }).join('\n'));
  }
  return { config: parsed.data, warnings };
}

/** `{secrets.<section>.<option>}` in the values that came from the config file (secrets.ts); environment values and flags are literal. */
function renderSecrets(settings: Map<SectionName, Map<string, Setting>>, file: string | undefined, warnings: string[]) {
  const path = settings.get('secrets')!.get('secrets_path')?.value;
  const resolver = new SecretsResolver(path || undefined, file);
  const warning = resolver.warning();
  if (warning) warnings.push(warning);
  for (const [section, options] of settings) {
    for (const [option, s] of options) {
      if (!s.file) continue;
      try {
        s.value = resolver.render(s.value);
      } catch (err) {
        throw new ConfigError(`${s.origin}: [${section}] ${option}: ${(err as Error).message}`);
      }
    }
  }
}

type Set = (section: SectionName, option: string, value: string, origin: string, file?: boolean) => void;

/** The config file's sections gatehouse reads, into `set`; the others are named in one warning. */
function readConfigFile(file: string, set: Set, mentioned: Map<SectionName, string>, warnings: string[]) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(e.code === 'ENOENT' ? `config file not found: ${file}` : `cannot read config file ${file}: ${e.message}`);
  }
  const ignored: string[] = [];
  for (const section of parseIni(text, file).values()) {
    if (!isSection(section.name)) {
      ignored.push(`[${section.name}]`);
      continue;
    }
    mentioned.set(section.name, `${section.file}:${section.line}`);
    const known = optionNames(section.name);
    for (const opt of section.options.values()) {
      const origin = `${opt.file}:${opt.line}`;
      if (!known.includes(opt.name)) throw new ConfigError(`${origin}: [${section.name}] ${opt.name}: unknown option`);
      set(section.name, opt.name, opt.value, origin, true);
    }
  }
  if (ignored.length) warnings.push(`${file}: ignoring sections gatehouse does not read: ${ignored.join(', ')}`);
}
