// What the org, key and sa commands share: the Grafana side of the core over the
// configured store (changes reach running servers through the store's
// generation stamp within a second), and flag parsing.
import { GrafanaCore } from '../../core/grafana/grafana-core.js';
import { openCore } from '../../server/gatehouse.js';
import { CliError, type CommandContext } from '../command.js';
import { optionsFromFlags } from '../config-flags.js';

export async function withGrafana<T>(values: Record<string, unknown>, ctx: CommandContext, fn: (g: GrafanaCore) => Promise<T>): Promise<T> {
  const opts = optionsFromFlags(values, ctx);
  const { core, store } = await openCore({ ...opts, logLevel: 'silent' });
  const { enabled: _enabled, ...grafana } = opts.grafana ?? { enabled: true };
  const g = new GrafanaCore(core, grafana);
  try {
    await g.start({ timers: false, bootstrap: false });
    return await fn(g);
  } finally {
    await g.stop();
    await store.close();
  }
}

export function intArg(v: string | undefined, what: string): number {
  if (v === undefined) throw new CliError(`missing ${what}`);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new CliError(`${what}: expected a number, got "${v}"`);
  return Number(v);
}

/** --org ID (default: the default org 1), checked to exist. */
export function orgOf(g: GrafanaCore, v: string | undefined): number {
  const id = v === undefined ? 1 : intArg(v, '--org');
  if (!g.orgs.get(id)) throw new CliError(`no organization with id ${id}`);
  return id;
}

export const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

export const ORG_FLAG = { org: { type: 'string' } } as const;
