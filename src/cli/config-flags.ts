// Flags every command shares: where the configuration and the data live.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config/index.js';
import { optionsFromConfig } from '../server/options.js';
import { openCore, type GatehouseOptions } from '../server/gatehouse.js';
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

export function optionsFromFlags(values: Record<string, unknown>, ctx: CommandContext, extra: { host?: string; port?: number } = {}): GatehouseOptions {
  const { config, warnings } = loadConfig({
    file: values.config as string | undefined,
    overrides: { dataDir: values['data-dir'] as string | undefined, ...extra },
  });
  for (const w of warnings) ctx.err(`warning: ${w}`);
  return optionsFromConfig(config);
}

/** Opens the store and core for an admin command, runs `fn`, and always closes the store. */
export async function withCore<T>(values: Record<string, unknown>, ctx: CommandContext, fn: (core: Awaited<ReturnType<typeof openCore>>['core']) => Promise<T>): Promise<T> {
  const opts = optionsFromFlags(values, ctx);
  const { core, store } = await openCore({ ...opts, logLevel: 'silent' });
  try {
    return await fn(core);
  } finally {
    await store.close();
  }
}
