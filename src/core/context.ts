// What every action module is built from: the store, the configuration, the one
// write path, the indexes and the services they share. core.ts assembles it.
import type { Config } from '../config/schema.js';
import type { Store } from '../store/types.js';
import type { Audit } from './actions/audit.js';
import type { CoreEventBus } from './events.js';
import type { BootstrapIndex } from './indexes/bootstrap.js';
import type { FamiliesIndex } from './indexes/families.js';
import type { GrafanaKeysIndex } from './indexes/grafana-keys.js';
import type { MoonrakerApiKeyIndex } from './indexes/moonraker-api-key.js';
import type { MoonrakerKeysIndex } from './indexes/moonraker-keys.js';
import type { OrgsIndex } from './indexes/orgs.js';
import type { UsersIndex } from './indexes/users.js';
import type { WebSessionsIndex } from './indexes/web-sessions.js';
import type { JwtService } from './security/jwt.js';
import type { TrustedClients } from './security/trusted-clients.js';
import type { SourceLog, UserSource } from './sources/types.js';
import type { Write } from './write.js';

export interface Indexes {
  users: UsersIndex;
  families: FamiliesIndex;
  apiKey: MoonrakerApiKeyIndex;
  moonrakerKeys: MoonrakerKeysIndex;
  orgs: OrgsIndex;
  keys: GrafanaKeysIndex;
  webSessions: WebSessionsIndex;
  bootstrap: BootstrapIndex;
}

export interface Ctx {
  store: Store;
  config: Config;
  write: Write;
  events: CoreEventBus;
  audit: Audit;
  log: SourceLog;
  ix: Indexes;
  jwt: JwtService;
  masterKey: Buffer;
  trusted: TrustedClients;
  sources: Map<string, UserSource>;
}
