// Every route of the web UI's own API, under <prefix>api (src/web/ui-api.ts).
import type { GrafanaRoute } from '../../faces/grafana/route.js';
import session from './session.js';
import moonrakerKeyGet from './moonraker-key-get.js';
import moonrakerKeyRotate from './moonraker-key-rotate.js';
import usersList from './users-list.js';
import usersCreate from './users-create.js';
import usersDelete from './users-delete.js';
import usersPassword from './users-password.js';
import usersAdmin from './users-admin.js';
import profilePassword from './profile-password.js';
import auditList from './audit-list.js';

export const uiRoutes: GrafanaRoute<any>[] = [
  session, moonrakerKeyGet, moonrakerKeyRotate, usersList, usersCreate, usersDelete, usersPassword, usersAdmin, profilePassword, auditList,
];
