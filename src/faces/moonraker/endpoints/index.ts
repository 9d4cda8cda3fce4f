// Every /access endpoint, in the order Moonraker's docs list them.
import type { Endpoint } from '../endpoint.js';
import login from './login.js';
import logout from './logout.js';
import getUser from './get-user.js';
import postUser from './post-user.js';
import deleteUser from './delete-user.js';
import listUsers from './list-users.js';
import userPassword from './user-password.js';
import refreshJwt from './refresh-jwt.js';
import oneshotToken from './oneshot-token.js';
import info from './info.js';
import getApiKey from './get-api-key.js';
import postApiKey from './post-api-key.js';
import userScope from './user-scope.js';
import apiKeysCreate from './api-keys-create.js';
import apiKeysList from './api-keys-list.js';
import apiKeysDelete from './api-keys-delete.js';

export const endpoints: Endpoint<any>[] = [
  login, logout, getUser, postUser, deleteUser, listUsers, userPassword, refreshJwt, oneshotToken, info, getApiKey, postApiKey,
  userScope, apiKeysList, apiKeysCreate, apiKeysDelete,
];
