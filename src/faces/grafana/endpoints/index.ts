// Every /api route of the Grafana face.
import type { GrafanaRoute } from '../route.js';
import loginPing from './login-ping.js';
import getOrg from './get-org.js';
import putOrg from './put-org.js';
import getOrgUsers from './get-org-users.js';
import postOrgUsers from './post-org-users.js';
import patchOrgUser from './patch-org-user.js';
import deleteOrgUser from './delete-org-user.js';
import getOrgs from './get-orgs.js';
import postOrgs from './post-orgs.js';
import getOrgById from './get-org-by-id.js';
import deleteOrg from './delete-org.js';
import getUser from './get-user.js';
import getUserOrgs from './get-user-orgs.js';
import postUserUsing from './post-user-using.js';
import getApiKeys from './get-api-keys.js';
import postApiKey from './post-api-key.js';
import deleteApiKey from './delete-api-key.js';
import saSearch from './sa-search.js';
import saCreate from './sa-create.js';
import saGet from './sa-get.js';
import saUpdate from './sa-update.js';
import saDelete from './sa-delete.js';
import saTokensList from './sa-tokens-list.js';
import saTokensCreate from './sa-tokens-create.js';
import saTokensDelete from './sa-tokens-delete.js';
import rotateSession from './rotate-session.js';
import saMigrate from './sa-migrate.js';
import getUsers from './get-users.js';
import getUsersSearch from './get-users-search.js';
import getUsersLookup from './get-users-lookup.js';
import getUserById from './get-user-by-id.js';
import putUserById from './put-user-by-id.js';
import getUserByIdOrgs from './get-user-by-id-orgs.js';
import adminCreateUser from './admin-create-user.js';
import adminUserPassword from './admin-user-password.js';
import adminUserPermissions from './admin-user-permissions.js';
import adminDeleteUser from './admin-delete-user.js';
import adminDisableUser from './admin-disable-user.js';
import adminEnableUser from './admin-enable-user.js';
import adminLogoutUser from './admin-logout-user.js';
import adminUserAuthTokens from './admin-user-auth-tokens.js';
import adminRevokeAuthToken from './admin-revoke-auth-token.js';
import putUser from './put-user.js';
import putUserPassword from './put-user-password.js';
import getUserAuthTokens from './get-user-auth-tokens.js';
import postUserRevokeAuthToken from './post-user-revoke-auth-token.js';
import getOrgsUsers from './get-orgs-users.js';
import postOrgsUsers from './post-orgs-users.js';
import patchOrgsUser from './patch-orgs-user.js';
import deleteOrgsUser from './delete-orgs-user.js';
import getOrgByName from './get-org-by-name.js';
import health from './health.js';
import getFrontendSettings from './get-frontend-settings.js';

export const routes: GrafanaRoute<any>[] = [
  loginPing, getOrg, putOrg, getOrgUsers, postOrgUsers, patchOrgUser, deleteOrgUser,
  getOrgs, postOrgs, getOrgById, deleteOrg,
  getUser, getUserOrgs, postUserUsing, rotateSession,
  getApiKeys, postApiKey, deleteApiKey,
  saSearch, saMigrate, saCreate, saGet, saUpdate, saDelete, saTokensList, saTokensCreate, saTokensDelete,
  getUsers, getUsersSearch, getUsersLookup, getUserById, putUserById, getUserByIdOrgs,
  adminCreateUser, adminUserPassword, adminUserPermissions, adminDeleteUser, adminDisableUser, adminEnableUser,
  adminLogoutUser, adminUserAuthTokens, adminRevokeAuthToken,
  putUser, putUserPassword, getUserAuthTokens, postUserRevokeAuthToken,
  getOrgsUsers, postOrgsUsers, patchOrgsUser, deleteOrgsUser, getOrgByName,
  health, getFrontendSettings,
];
