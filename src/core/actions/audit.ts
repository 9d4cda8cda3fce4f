// The audit trail of security events: stored in the store and, optionally,
// appended as JSON lines. Entries never carry a secret: callers pass names,
// ids and outcomes only. A failed audit write is logged and never fails the request.
import { appendFile } from 'node:fs/promises';
import type { AuditEventName, AuditFilter } from '../model.js';
import type { Store } from '../../store/types.js';

export interface AuditEntry { username?: string | null; ip?: string | null; detail?: Record<string, unknown> }

export class Audit {
  /** Told every event recorded (metrics count logins with it). */
  observe: ((event: AuditEventName, o: AuditEntry) => void) | undefined;

  constructor(private store: Store, private jsonLinesFile: string | undefined, private onError: (e: unknown) => void) {}

  async record(event: AuditEventName, o: AuditEntry = {}): Promise<void> {
    this.observe?.(event, o);
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
