// A small INI reader for both moonraker.conf (`key: value`) and grafana.ini
// (`key = value`) files. Like Python's configparser (which Moonraker uses):
// option names are lower-cased, indented lines continue the previous value
// (one list element per line), `#`/`;` start full-line comments, and ` #` or
// ` ;` (whitespace first) start an inline comment.
import { ConfigError } from './errors.js';

export interface IniOption {
  name: string;
  /** Trimmed; continuation lines are joined with "\n". */
  value: string;
  file: string;
  /** 1-based line of the `key: value` line. */
  line: number;
}

export interface IniSection {
  name: string;
  file: string;
  line: number;
  options: Map<string, IniOption>;
}

const SECTION = /^\[([^\]]+)\]$/;
const OPTION = /^([^\s:=[][^:=]*?)\s*[:=]\s*(.*)$/;
const INLINE_COMMENT = /\s[#;].*$/;

/** Parses INI text; `file` is only used for positions and error messages. */
export function parseIni(text: string, file: string): Map<string, IniSection> {
  const sections = new Map<string, IniSection>();
  let section: IniSection | undefined;
  let option: IniOption | undefined; // the option that indented lines continue

  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const content = trimmed.replace(INLINE_COMMENT, '').trimEnd();

    if (option && /^\s/.test(raw)) {
      option.value += '\n' + content;
      return;
    }

    const header = SECTION.exec(content);
    if (header) {
      const name = header[1]!.trim();
      // A repeated [section] adds to the first one; its options still may not repeat.
      section = sections.get(name) ?? { name, file, line, options: new Map() };
      sections.set(name, section);
      option = undefined;
      return;
    }

    const opt = OPTION.exec(content);
    if (!opt) throw new ConfigError(`${file}:${line}: syntax error: expected "[section]", "key: value" or "key = value", got ${JSON.stringify(trimmed)}`);
    if (!section) throw new ConfigError(`${file}:${line}: option ${JSON.stringify(opt[1])} appears before any [section]`);
    const name = opt[1]!.trim().toLowerCase();
    const first = section.options.get(name);
    if (first) throw new ConfigError(`${file}:${line}: [${section.name}] ${name}: duplicate option (first set at ${first.file}:${first.line})`);
    option = { name, value: opt[2]!, file, line };
    section.options.set(name, option);
  });

  for (const s of sections.values()) for (const o of s.options.values()) o.value = o.value.trim();
  return sections;
}
