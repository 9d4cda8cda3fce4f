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

export const routes: GrafanaRoute<any>[] = [
  loginPing, getOrg, putOrg, getOrgUsers, postOrgUsers, patchOrgUser, deleteOrgUser,
  getOrgs, postOrgs, getOrgById, deleteOrg,
  getUser, getUserOrgs, postUserUsing, rotateSession,
  getApiKeys, postApiKey, deleteApiKey,
  saSearch, saMigrate, saCreate, saGet, saUpdate, saDelete, saTokensList, saTokensCreate, saTokensDelete,
];
