// Moonraker's secrets (components/secrets.py): `{secrets.<section>.<option>}`
// in an option value read from the config file is replaced by that value of
// the secrets file, `[secrets] secrets_path` or, when that is not set,
// `moonraker.secrets` in the data directory (printer_data/, the parent of the
// config file's directory), where Moonraker looks first. The file is JSON if
// it parses as JSON, else INI read by configparser's rules (not gatehouse's
// config reader: no inline comments). Differences from Moonraker: templates
// work in every option (Moonraker: only the options it reads as templates),
// and a reference that cannot be resolved stops start-up (Moonraker renders a
// missing option as ""). Rules: docs/notes/moonraker-args-and-secrets.md §6.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** `{secrets.a.b}`, spaces inside the braces allowed (a Jinja2 variable with braces as delimiters). */
const REFERENCE = /\{\s*secrets\.(\w+)\.(\w+)\s*\}/g;

type Sections = Record<string, Record<string, unknown>>;

/** Why a secrets file gives no secrets (the reason a reference names), or its sections. */
type Loaded = { sections: Sections } | { problem: string };

/** configparser (interpolation=None, strict): sections as written, option names lower-cased, `[DEFAULT]` inherited. */
export function parseSecretsIni(text: string): Sections | undefined {
  const sections: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | undefined;
  let option: { values: string[]; indent: number } | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const value = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (value.startsWith('#') || value.startsWith(';')) continue;
    if (value === '') {
      if (option) option.values.push('');
      continue;
    }
    if (option && indent > option.indent) {
      option.values.push(value);
      continue;
    }
    const header = /^\[(.+)\]$/.exec(value);
    if (header) {
      if (Object.hasOwn(sections, header[1]!)) return undefined; // a duplicate section
      section = sections[header[1]!] = Object.create(null) as Record<string, string[]>;
      option = undefined;
      continue;
    }
    const opt = /^(.*?)\s*[=:]\s*(.*)$/.exec(value);
    if (!section || !opt || opt[1] === '') return undefined;
    const name = opt[1]!.toLowerCase();
    if (Object.hasOwn(section, name)) return undefined; // a duplicate option
    option = { values: [opt[2]!.trim()], indent };
    section[name] = option.values;
  }
  const out: Sections = {};
  const defaults = sections.DEFAULT ?? {};
  for (const [name, options] of Object.entries(sections)) {
    if (name === 'DEFAULT') continue;
    out[name] = Object.fromEntries(Object.entries({ ...defaults, ...options }).map(([k, v]) => [k, v.join('\n').trimEnd()]));
  }
  return out;
}

function loadSecrets(path: string): Loaded {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problem: `cannot read the secrets file ${path}: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const ini = parseSecretsIni(text);
    return ini ? { sections: ini } : { problem: `the secrets file ${path} is neither JSON nor INI` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { problem: `the top level of the JSON secrets file ${path} is not an object` };
  return { sections: json as Sections };
}

/** A value as Jinja2 renders it: Python's str(). */
function pythonStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

export class SecretsResolver {
  private loaded: Loaded | undefined;

  /** `path`: [secrets] secrets_path as set (undefined: not set); `configFile`: the config file, for the default location. */
  constructor(private readonly path: string | undefined, private readonly configFile: string | undefined) {}

  /** The file the references are read from, if any. */
  get file(): string | undefined {
    if (this.path !== undefined) return resolve(this.path.replace(/^~(?=$|\/)/, homedir()));
    if (this.configFile === undefined) return undefined;
    const dflt = join(dirname(dirname(resolve(this.configFile))), 'moonraker.secrets');
    return existsSync(dflt) && statSync(dflt).isFile() ? dflt : undefined;
  }

  /** A warning when secrets_path names a file that does not exist (as Moonraker; an error only once a reference needs it). */
  warning(): string | undefined {
    const file = this.file;
    return this.path !== undefined && file !== undefined && !existsSync(file) ? `[secrets] secrets_path: file does not exist: ${file}` : undefined;
  }

  /** The value with every reference replaced; throws an Error naming the reference and the file when one cannot be resolved. */
  render(value: string): string {
    if (!value.includes('secrets')) return value;
    return value.replace(REFERENCE, (_, section: string, option: string) => {
      const ref = `secrets.${section}.${option}`;
      const file = this.file;
      if (file === undefined) throw new Error(`${ref}: no secrets file ([secrets] secrets_path is not set, and there is no moonraker.secrets in the data directory)`);
      this.loaded ??= loadSecrets(file);
      if ('problem' in this.loaded) throw new Error(`${ref}: ${this.loaded.problem}`);
      const s = Object.hasOwn(this.loaded.sections, section) ? this.loaded.sections[section] : undefined;
      if (s === null || typeof s !== 'object') throw new Error(`${ref}: no section "${section}" in the secrets file ${file}`);
      if (!Object.hasOwn(s, option)) throw new Error(`${ref}: no option "${option}" in section "${section}" of the secrets file ${file}`);
      return pythonStr(s[option]);
    }).trim();
  }
}
