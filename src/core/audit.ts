// The audit trail of security events: stored in the store and, optionally,
// appended as JSON lines. Entries never carry a secret: callers pass names,
// ids and outcomes only.
import { appendFile } from 'node:fs/promises';
import type { AuditFilter, Store } from '../store/types.js';

export type AuditEventName =
  | 'login_ok' | 'login_failed' | 'logout' | 'token_refresh' | 'refresh_reuse_detected'
  | 'user_created' | 'user_deleted' | 'password_changed' | 'api_key_rotated'
  | 'key_created' | 'key_deleted' | 'key_used_after_expiry' | 'lockout'
  | 'org_created' | 'org_deleted' | 'service_account_created' | 'service_account_deleted';

export class AuditLog {
  constructor(private store: Store, private jsonLinesFile?: string, private onError: (e: unknown) => void = () => {}) {}

  async record(event: AuditEventName, o: { username?: string | null; ip?: string | null; detail?: Record<string, unknown> } = {}): Promise<void> {
    const entry = { at: Date.now(), event, username: o.username ?? null, ip: o.ip ?? null, detail: o.detail ?? null };
    try {
      await this.store.audit.append(entry);
      if (this.jsonLinesFile) await appendFile(this.jsonLinesFile, JSON.stringify({ ...entry, at: new Date(entry.at).toISOString() }) + '\n', { mode: 0o600 });
    } catch (err) {
      this.onError(err);
    }
  }

  query(f: AuditFilter) {
    return this.store.audit.query(f);
  }
}
