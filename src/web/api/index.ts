// Every route of the web UI's own API, under <prefix>api (src/web/ui-api.ts).
import type { GrafanaRoute } from '../../faces/grafana/route.js';
import session from './session.js';
import moonrakerKeyGet from './moonraker-key-get.js';
import moonrakerKeyRotate from './moonraker-key-rotate.js';
import moonrakerKeysList from './moonraker-keys-list.js';
import moonrakerKeysCreate from './moonraker-keys-create.js';
import moonrakerKeysDelete from './moonraker-keys-delete.js';
import usersList from './users-list.js';
import usersCreate from './users-create.js';
import usersDelete from './users-delete.js';
import usersPassword from './users-password.js';
import usersAdmin from './users-admin.js';
import usersDisabled from './users-disabled.js';
import usersScope from './users-scope.js';
import profilePassword from './profile-password.js';
import profileSessions from './profile-sessions.js';
import profileSessionRevoke from './profile-session-revoke.js';
import profileSessionsRevokeAll from './profile-sessions-revoke-all.js';
import auditList from './audit-list.js';

export const uiRoutes: GrafanaRoute<any>[] = [
  session, moonrakerKeyGet, moonrakerKeyRotate, moonrakerKeysList, moonrakerKeysCreate, moonrakerKeysDelete,
  usersList, usersCreate, usersDelete, usersPassword, usersAdmin, usersDisabled, usersScope,
  profilePassword, profileSessions, profileSessionRevoke, profileSessionsRevokeAll, auditList,
];
