// Row types as Kysely sees them. Booleans are 0/1 integers and times are epoch
// milliseconds on every engine, so one SQL layer serves SQLite and PostgreSQL.
import type { Generated } from 'kysely';

export interface Tables {
  users: {
    id: Generated<number>;
    uid: string;
    username: string;
    email: string | null;
    name: string;
    password_hash: string | null;
    source: string;
    is_admin: number;
    is_service_account: number;
    is_disabled: number;
    scope: Generated<string>;
    org_id: number;
    created_at: number;
    updated_at: number;
  };
  token_sessions: {
    id: string;
    user_id: number;
    created_at: number;
    expires_at: number;
    revoked_at: number | null;
    refresh_jti: string | null;
  };
  oneshot_tokens: {
    token_hash: string;
    user_id: number | null;
    identity_kind: string;
    ip: string;
    expires_at: number;
  };
  settings: { key: string; value: string };
  audit_log: {
    id: Generated<number>;
    at: number;
    event: string;
    username: string | null;
    ip: string | null;
    detail: string | null;
  };
  orgs: { id: Generated<number>; name: string; created_at: number; updated_at: number };
  org_users: { org_id: number; user_id: number; role: string; created_at: number };
  api_keys: {
    id: Generated<number>;
    org_id: number;
    name: string;
    role: string;
    hash: string;
    hash_kind: string;
    service_account_id: number | null;
    expires_at: number | null;
    last_used_at: number | null;
    created_at: number;
    is_revoked: number;
  };
  web_sessions: {
    id: Generated<number>;
    user_id: number;
    token_hash: string;
    prev_token_hash: string | null;
    created_at: number;
    rotated_at: number;
    seen_at: number;
    revoked_at: number | null;
  };
  session_clients: { id: Generated<number>; kind: string; ref: string; user_id: number; ip: string; user_agent: string; created_at: number };
  moonraker_keys: {
    id: Generated<number>;
    name: string;
    scope: string;
    hash: string;
    created_at: number;
    expires_at: number | null;
    last_used_at: number | null;
  };
  login_attempts: { id: Generated<number>; username: string; ip: string; at: number };
}
