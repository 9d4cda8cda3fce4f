// `gatehouse audit`: query the audit trail in the store, with filters.
// Opens the store directly (no core, no keys): reading the trail needs neither.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../store/index.js';
import type { AuditEvent, AuditFilter } from '../../store/index.js';
import { parseDuration } from '../../config/values.js';
import { CliError, type Command } from '../command.js';
import { CONFIG_USAGE, configFromFlags, parseFlags } from '../config-flags.js';

const USAGE = `usage: gatehouse audit [--event NAME] [--user NAME] [--since TIME] [--until TIME] [--limit N] [--json]
  --event NAME      only this event (login_ok, login_failed, logout, token_refresh,
                    refresh_reuse_detected, user_created, user_deleted, password_changed,
                    api_key_rotated, key_created, key_deleted, key_used_after_expiry, lockout, ...)
  --user NAME       only events about this username
  --since TIME      from this time on: an ISO 8601 date/time, or a duration ago (30m, 12h, 7d)
  --until TIME      up to this time (same forms)
  --limit N         the N most recent matching events (default 100)
  --json            one JSON object per line instead of columns
${CONFIG_USAGE}`;

function parseTime(flag: string, raw: string, now: number): number {
  const ago = parseDuration(raw);
  if (ago !== undefined && !/^\d{4}/.test(raw)) return now - ago * 1000;
  if (/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    const t = Date.parse(raw);
    if (Number.isFinite(t)) return t;
  }
  throw new CliError(`--${flag}: expected an ISO 8601 time (2026-01-31T12:00:00Z) or a duration (30m, 12h, 7d), got "${raw}"`);
}

/**
 * Usernames in the trail are whatever a client sent (a failed login records the
 * name tried), so control characters are shown escaped: nothing in the trail can
 * move the cursor or recolour the terminal of the admin reading it.
 */
export const printable = (s: string) =>
  s.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\\]/gu, (c) => (c === '\\' ? '\\\\' : `\\u{${c.codePointAt(0)!.toString(16)}}`));

function line(e: AuditEvent): string {
  return [
    new Date(e.at).toISOString(),
    e.event,
    e.username === null ? '-' : printable(e.username),
    e.ip ?? '-',
    e.detail ? printable(JSON.stringify(e.detail)) : '',
  ].join('\t').trimEnd();
}

export const audit: Command = {
  name: 'audit',
  summary: 'show the audit trail of security events, with filters',
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, {
      event: { type: 'string' },
      user: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
    const now = Date.now();
    const filter: AuditFilter = { limit: 100 };
    if (values.event !== undefined) filter.event = values.event;
    if (values.user !== undefined) filter.username = values.user;
    if (values.since !== undefined) filter.since = parseTime('since', values.since, now);
    if (values.until !== undefined) filter.until = parseTime('until', values.until, now);
    if (values.limit !== undefined) {
      if (!/^\d+$/.test(values.limit) || Number(values.limit) < 1 || Number(values.limit) > 1_000_000) {
        throw new CliError(`--limit: expected a whole number from 1 to 1000000, got "${values.limit}"`);
      }
      filter.limit = Number(values.limit);
    }

    const g = configFromFlags(values, ctx).gatehouse;
    if (g.store === 'sqlite' && !existsSync(join(g.data_dir, 'gatehouse.sqlite'))) {
      throw new CliError(`no gatehouse database in ${g.data_dir} (give --data-dir or --config)`);
    }
    const store = await openStore({ engine: g.store, dataDir: g.data_dir, postgresUrl: g.postgres_url });
    let events: AuditEvent[];
    try {
      events = await store.audit.query(filter);
    } finally {
      await store.close();
    }
    events.reverse(); // the store gives the newest first; print in the order they happened
    if (values.json) {
      for (const e of events) ctx.out(JSON.stringify({ at: new Date(e.at).toISOString(), event: e.event, username: e.username, ip: e.ip, detail: e.detail }));
    } else if (!events.length) {
      ctx.err('no matching audit events');
    } else {
      for (const e of events) ctx.out(line(e));
    }
    return 0;
  },
};
