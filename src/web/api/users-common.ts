// Shared by the users endpoints of the web UI's API. Who may change whom (the last
// enabled server admin above all) is the core's one authority (src/core/actions/authority.ts).
import type { Core } from '../../core/core.js';
import type { User } from '../../core/model.js';
import { GrafanaError } from '../../faces/grafana/errors.js';
import { intParam } from '../../faces/grafana/route.js';

export const userDto = (u: User) => ({
  id: u.id, login: u.username, email: u.email ?? '', name: u.name, source: u.source, isGrafanaAdmin: u.isAdmin, isDisabled: u.isDisabled, scope: u.scope,
});

/** The account a path's `:id` names (not a service account), or 404. */
export function userOf(core: Core, id: string | undefined): User {
  const user = core.accounts.getById(intParam(id, 'USER_ID_INVALID'));
  if (!user || user.isServiceAccount) throw new GrafanaError('USER_NOT_FOUND');
  return user;
}
