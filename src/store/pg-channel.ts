// PostgreSQL's LISTEN/NOTIFY as the store's message channel (types.ts, StoreChannel):
// instances on one database tell each other what changed without polling. The
// listener has a connection of its own (a pooled one cannot hold a LISTEN), kept
// alive with TCP keep-alive and reopened with a growing delay when it is lost.
import pg from 'pg';
import type { StoreChannel } from './types.js';

const CHANNEL = 'gatehouse_changes';
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;

export function pgChannel(connectionString: string, pool: pg.Pool): StoreChannel {
  return {
    async send(message) {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, message]);
    },

    listen(onMessage, onState) {
      let client: pg.Client | undefined;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let delay = FIRST_RETRY_MS;
      const retry = () => {
        if (stopped) return;
        timer = setTimeout(() => void connect(), delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      };
      const connect = async () => {
        const c = new pg.Client({ connectionString, keepAlive: true, keepAliveInitialDelayMillis: 5000, application_name: `gatehouse listener ${process.pid}` });
        c.on('notification', (n) => { if (n.channel === CHANNEL && n.payload) onMessage(n.payload); });
        c.on('error', () => {}); // 'end' follows; handled there
        c.once('end', () => {
          if (client !== c) return;
          client = undefined;
          onState(false);
          retry();
        });
        try {
          await c.connect();
          await c.query(`LISTEN ${CHANNEL}`);
        } catch {
          void c.end().catch(() => {});
          retry();
          return;
        }
        if (stopped) return void c.end().catch(() => {});
        client = c;
        delay = FIRST_RETRY_MS;
        onState(true);
      };
      void connect();
      return async () => {
        stopped = true;
        clearTimeout(timer);
        const c = client;
        client = undefined;
        await c?.end().catch(() => {});
      };
    },
  };
}
