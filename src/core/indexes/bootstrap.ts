// Which account gatehouse created itself on first start (the Grafana face's
// bootstrap admin): Moonraker's "a user exists" does not count it.
import type { Change } from '../changes.js';
import type { Store } from '../../store/types.js';
import type { Index } from '../write.js';

export const BOOTSTRAP_SETTING = 'grafana_admin_bootstrap';

export interface BootstrapRecord { at: number; login: string; created: boolean; userId?: number }

export class BootstrapIndex implements Index {
  record: BootstrapRecord | undefined;
  constructor(private store: Store) {}

  async load(): Promise<void> {
    const raw = await this.store.settings.get(BOOTSTRAP_SETTING);
    this.record = raw ? (JSON.parse(raw) as BootstrapRecord) : undefined;
  }

  async apply(change: Change): Promise<void> {
    if (change.kind === 'bootstrap') await this.load();
  }

  /** The id of the account gatehouse created, if it did. */
  get adminId(): number | null {
    return this.record?.created && typeof this.record.userId === 'number' ? this.record.userId : null;
  }
}
