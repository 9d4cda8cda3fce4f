// Is the store reachable? (Grafana's databaseHealthy: a trivial query, its result
// kept for 5 seconds so a health-check storm costs the store one query.)
import type { Ctx } from '../context.js';

const CACHE_MS = 5_000;
const TIMEOUT_MS = 3_000;

export function healthActions(ctx: Ctx) {
  let last: { at: number; ok: boolean } | undefined;
  let pending: Promise<boolean> | undefined;

  async function probe(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), TIMEOUT_MS); });
    try {
      return await Promise.race([ctx.store.settings.get('health-probe').then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async storeHealthy(): Promise<boolean> {
      if (last && Date.now() - last.at < CACHE_MS) return last.ok;
      pending ??= probe().then((ok) => {
        last = { at: Date.now(), ok };
        pending = undefined;
        return ok;
      });
      return pending;
    },
  };
}
