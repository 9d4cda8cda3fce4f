// Flags every command shares: where the configuration and the data live.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config/index.js';
import type { Core } from '../core/core.js';
import { openCore } from '../server/gatehouse.js';
import { CliError, type CommandContext } from './command.js';

export const CONFIG_FLAGS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const CONFIG_USAGE = '  --config FILE     moonraker.conf / grafana.ini style file\n  --data-dir DIR    data directory (default ./data)';

export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...CONFIG_FLAGS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export function configFromFlags(values: Record<string, unknown>, ctx: CommandContext, extra: { host?: string; port?: number } = {}): Config {
  const { config, warnings } = loadConfig({
    file: values.config as string | undefined,
    overrides: { dataDir: values['data-dir'] as string | undefined, ...extra },
  });
  for (const w of warnings) ctx.err(`warning: ${w}`);
  return config;
}

/**
 * Opens the store and core for an admin command, runs `fn`, and always closes
 * the store. Changes reach running servers through the store's change feed
 * within a second.
 */
export async function withCore<T>(values: Record<string, unknown>, ctx: CommandContext, fn: (core: Core) => Promise<T>): Promise<T> {
  const { core, store } = await openCore(configFromFlags(values, ctx));
  try {
    return await fn(core);
  } finally {
    await store.close();
  }
}

export function intArg(v: string | undefined, what: string): number {
  if (v === undefined) throw new CliError(`missing ${what}`);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new CliError(`${what}: expected a number, got "${v}"`);
  return Number(v);
}

/** --org ID (default: the default org 1), checked to exist. */
export function orgOf(core: Core, v: string | undefined): number {
  const id = v === undefined ? 1 : intArg(v, '--org');
  if (!core.orgs.get(id)) throw new CliError(`no organization with id ${id}`);
  return id;
}

export const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
