// gatehouse's configuration: load it with loadConfig(); see schema.ts for its shape.
export { loadConfig, type LoadOptions, type Loaded } from './load.js';
export { defaultConfig, configSchema, SECTIONS, type Config, type ConfigInput, type SectionName } from './schema.js';
export { parseDuration } from './values.js';
export { parseIni, type IniOption, type IniSection } from './ini.js';
export { ConfigError } from './errors.js';
