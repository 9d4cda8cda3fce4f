// An account's live logins on both faces, as one list: browser sessions of the
// Grafana face and Moonraker login families, each with a numeric id (its
// session_clients row), where it came from and when it was made and last seen.
// Grafana's auth-tokens routes and the CLI's `user sessions` use it.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import type { Change } from '../changes.js';
import type { Identity } from '../model.js';

export interface AccountSession {
  id: number;
  face: 'grafana' | 'moonraker';
  ip: string;
  userAgent: string;
  createdAt: number;
  seenAt: number;
  /** Is it the session `current` (the request asking) rides on? */
  isActive: boolean;
}

interface Live { face: 'grafana' | 'moonraker'; ref: string; createdAt: number; seenAt: number }

export function userSessionActions(ctx: Ctx, window: () => { seenSince: number; createdSince: number }) {
  const { store } = ctx;

  async function live(userId: number): Promise<Live[]> {
    const { seenSince, createdSince } = window();
    const [webs, families] = await Promise.all([store.webSessions.liveOfUser(userId, seenSince, createdSince), store.sessions.liveOfUser(userId, Date.now())]);
    return [
      ...webs.map((w): Live => {
        const seen = Math.max(w.seenAt, ctx.ix.webSessions.getById(w.id)?.seenAt ?? 0);
        return { face: 'grafana', ref: String(w.id), createdAt: w.createdAt, seenAt: seen };
      }),
      ...families.map((f): Live => ({ face: 'moonraker', ref: f.id, createdAt: f.createdAt, seenAt: f.createdAt })),
    ];
  }

  const isCurrent = (l: Live, current: Identity | null | undefined) =>
    !!current && (l.face === 'grafana' ? current.webSession?.id === Number(l.ref) : current.kind === 'user' && current.sessionId === l.ref && !current.webSession);

  const s = {
    /** The account's live logins, oldest first. */
    async listForUser(userId: number, current?: Identity | null): Promise<AccountSession[]> {
      const [sessions, clients] = await Promise.all([live(userId), store.sessionClients.ofUser(userId)]);
      const rows = new Map(clients.map((c) => [`${c.kind}:${c.ref}`, c]));
      const out: AccountSession[] = [];
      for (const l of sessions) {
        // A login without a row (the tokens POST /access/user hands its caller) is not the account's own: not listed.
        const c = rows.get(`${l.face}:${l.ref}`);
        if (!c) continue;
        out.push({ id: c.id, face: l.face, ip: c.ip, userAgent: c.userAgent, createdAt: l.createdAt, seenAt: l.seenAt, isActive: isCurrent(l, current) });
      }
      return out.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    },

    /** Ends one live login of the account (404 "User auth token not found" when it is not one). */
    async revoke(userId: number, id: number): Promise<void> {
      const c = await store.sessionClients.byId(id);
      const l = c && c.userId === userId ? (await live(userId)).find((x) => x.face === c.kind && x.ref === c.ref) : undefined;
      if (!c || !l) throw fail('SESSION_NOT_FOUND');
      const change: Change = l.face === 'grafana' ? { kind: 'web-sessions', userId } : { kind: 'families', userId };
      await ctx.write({
        run: () => (l.face === 'grafana' ? store.webSessions.revoke(Number(l.ref), Date.now()) : store.sessions.revoke(l.ref, Date.now())),
        changes: () => [change],
      });
    },

    /** Is session `id` the one `current` rides on? */
    async isActive(userId: number, id: number, current: Identity | null): Promise<boolean> {
      return (await s.listForUser(userId, current)).some((x) => x.id === id && x.isActive);
    },

    /** Ends every login of the account on both faces; how many of its listed sessions there were. */
    async revokeAll(userId: number, by?: string | null): Promise<number> {
      const n = (await s.listForUser(userId)).length;
      await ctx.write({
        run: async () => {
          await store.sessions.revokeForUser(userId, Date.now());
          await store.webSessions.revokeForUser(userId, Date.now());
        },
        changes: () => [{ kind: 'families', userId }, { kind: 'web-sessions', userId }],
      });
      await ctx.audit.record('sessions_revoked', { username: ctx.ix.users.getById(userId)?.username ?? null, detail: { by: by ?? null, count: n } });
      return n;
    },
  };
  return s;
}

export type UserSessionActions = ReturnType<typeof userSessionActions>;
