// Domain events the faces listen to (websocket notifications, cache invalidation).
import { EventEmitter } from 'node:events';

export interface CoreEvents {
  user_created: [{ username: string }];
  user_deleted: [{ username: string; userId: number }];
  user_logged_out: [{ username: string; userId: number }];
  /** Token families of a user were revoked (logout, password change, deletion). */
  sessions_revoked: [{ userId: number; sessionIds: string[] }];
  /** A user's password was changed or reset (caches of verified credentials drop it; web sessions end). */
  password_changed: [{ userId: number; username: string }];
  /** An external source (LDAP) changed a user's org roles, server-admin flag, name or email at login. */
  user_synced: [{ userId: number; username: string }];
  api_key_rotated: [];
  /** Another process changed the store; caches were reloaded from it. */
  reloaded: [];
}

export class CoreEventBus extends EventEmitter<CoreEvents> {}
