// Shared by the users endpoints of the web UI's API.
import type { Core } from '../../core/core.js';
import type { User } from '../../core/model.js';
import { GrafanaError } from '../../faces/grafana/errors.js';
import { intParam } from '../../faces/grafana/route.js';

export const userDto = (u: User) => ({
  id: u.id, login: u.username, email: u.email ?? '', name: u.name, source: u.source, isGrafanaAdmin: u.isAdmin, isDisabled: u.isDisabled,
});

/** The account a path's `:id` names (not a service account), or 404. */
export function userOf(core: Core, id: string | undefined): User {
  const user = core.accounts.getById(intParam(id, 'USER_ID_INVALID'));
  if (!user || user.isServiceAccount) throw new GrafanaError('USER_NOT_FOUND');
  return user;
}

/** The last server admin is neither deleted nor demoted (docs/security.md: one authority for both faces). */
export function keepLastAdmin(core: Core, user: User) {
  if (!user.isAdmin) return;
  const admins = core.accounts.list().filter((u) => u.isAdmin && !u.isServiceAccount);
  if (admins.length <= 1) throw new GrafanaError('UI_LAST_ADMIN');
}
