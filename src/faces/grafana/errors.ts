// The Grafana face's own failures, and its envelope for every error, in the
// three body shapes Grafana writes (see /work/shared/specs/grafana-spec.md §0):
//   - legacy  `{"message": ...}`                                (response.Error / JsonApiErr)
//   - errutil `{"message","messageId","statusCode","traceID"}` (the authn layer)
//   - rbac    `{"accessErrorId","message","title"}`            (the access-control middleware)
import type { FastifyBaseLogger } from 'fastify';
import { CatalogueError, CoreError, type CoreCode } from '../../core/errors.js';
import { HttpError, toKnownError, type HttpCode } from '../shared/http-errors.js';

type Shape = { shape: 'legacy' } | { shape: 'errutil'; messageId: string } | { shape: 'rbac' };
const legacy: Shape = { shape: 'legacy' };
const errutil = (messageId: string): Shape => ({ shape: 'errutil', messageId });

/** code → [status, message, shape] of the face's own failures. */
export const GRAFANA_ERRORS = {
  ACCESS_DENIED: [403, "You'll need additional permissions to perform this action. Permissions needed: {action}", { shape: 'rbac' }],
  PERMISSION_DENIED: [403, 'Permission denied', legacy],
  ONLY_FOR_USERS: [403, 'Endpoint only available for users', legacy],
  BAD_LOGIN_DATA: [400, 'bad login data', errutil('form-auth.invalid')],
  BAD_REQUEST_DATA: [400, 'bad request data', legacy],
  SA_BAD_REQUEST_DATA: [400, 'Bad request data', legacy],
  LOGIN_PING_UNAUTHORIZED: [401, 'Unauthorized', legacy],
  ORIGIN_NOT_ALLOWED: [403, 'origin not allowed', legacy],
  NOT_A_SESSION: [400, 'Not a session', legacy],
  ID_INVALID: [400, 'id is invalid', legacy],
  ORG_ID_INVALID: [400, 'orgId is invalid', legacy],
  USER_ID_INVALID: [400, 'userId is invalid', legacy],
  SA_ID_INVALID: [400, 'Service Account ID is invalid', legacy],
  SA_ID_INVALID_DELETE: [400, 'Service account ID is invalid', legacy],
  TOKEN_ID_INVALID: [400, 'Token ID is invalid', legacy],
  USER_NOT_FOUND: [404, 'User not found', legacy],
  ORG_DELETE_CURRENT: [400, 'Can not delete org for current user', legacy],
  ORG_DELETE_DEFAULT: [400, 'The default organization cannot be deleted: the Moonraker face acts in it', legacy],
  QUOTA_REACHED: [403, '{target} Quota reached', legacy],
  KEY_CREATE_GONE: [410, 'this endpoint has been removed, please use POST /api/serviceaccounts and POST /api/serviceaccounts/{id}/tokens instead', legacy],
  KEY_DELETE_FAILED: [404, 'Failed to delete API key', legacy],
  SA_TOKEN_NOT_FOUND: [404, 'Failed to delete API key', legacy],
  CREATE_NO_LOGIN: [400, 'Validation error, need specify either username or email', legacy],
  CREATE_PASSWORD_SHORT: [400, 'Password is missing or too short', legacy],
  ADMIN_PASSWORD_SHORT: [400, 'New password too short', legacy],
  NEW_PASSWORD_SHORT: [400, 'New password is too short', errutil('password-policy-too-short')],
  OLD_PASSWORD_INVALID: [401, 'Invalid old password', legacy],
  EXTERNAL_PASSWORD: [400, 'Cannot update external user password', legacy],
  LOGOUT_SELF: [400, 'You cannot logout yourself', legacy],
  AUTH_TOKEN_ACTIVE: [400, 'Cannot revoke active user auth token', legacy],
  // The web UI's own API (<prefix>api/, src/web/ui-api.ts): gatehouse's, not Grafana's.
  UI_SESSION_REQUIRED: [401, 'Sign in: the web UI API takes a browser session only', legacy],
  UI_CSRF: [403, 'Missing or wrong CSRF token (X-Gatehouse-CSRF header)', legacy],
} as const satisfies Record<string, readonly [number, string, Shape]>;

export type GrafanaCode = keyof typeof GRAFANA_ERRORS;

export class GrafanaError extends CatalogueError<GrafanaCode> {
  constructor(code: GrafanaCode, params: Record<string, unknown> = {}) {
    super(code, params, GRAFANA_ERRORS[code]);
  }
}

/** The core's failures the face writes in a shape other than legacy (all others: legacy, the core's message). */
export const CORE_SHAPES: Partial<Record<CoreCode, Shape>> = {
  GRAFANA_UNAUTHORIZED: errutil('auth.unauthorized'),
  GRAFANA_API_KEY_INVALID: errutil('api-key.invalid'),
  GRAFANA_API_KEY_EXPIRED: errutil('api-key.expired'),
  GRAFANA_API_KEY_REVOKED: errutil('api-key.revoked'),
  GRAFANA_API_KEY_ORG_MISMATCH: errutil('api-key.organization-mismatch'),
  GRAFANA_PASSWORD_AUTH_FAILED: errutil('password-auth.failed'),
  GRAFANA_LOGIN_BLOCKED_IP: errutil('login-attempt.blocked'),
  GRAFANA_IDENTITY_DISABLED: errutil('identity.disabled'),
  SA_NOT_FOUND: errutil('serviceaccounts.ErrNotFound'),
  SA_EXISTS: errutil('serviceaccounts.ErrAlreadyExists'),
  SA_NAME_REQUIRED: errutil('serviceaccounts.ErrNameRequired'),
  SA_TOKEN_DUPLICATE: errutil('serviceaccounts.ErrTokenAlreadyExists'),
  ACCOUNT_EMPTY_LOGIN: errutil('user.empty-username-and-email'),
  UNKNOWN_SORT: errutil('unknown sorting option'),
};

/** HTTP's own failures in Grafana's wording (others keep HTTP_ERRORS' message). */
export const HTTP_WORDING: Partial<Record<HttpCode, string>> = { NOT_FOUND: 'Not found' };

const isGrafanaError = (e: unknown): e is GrafanaError => e instanceof GrafanaError;

/** Any error as the face writes it: status and body. */
export function grafanaFailure(error: unknown, log: FastifyBaseLogger): { status: number; body: Record<string, unknown> } {
  const e = toKnownError(error, log, isGrafanaError);
  const shape = e instanceof GrafanaError ? GRAFANA_ERRORS[e.code][2] : e instanceof CoreError ? CORE_SHAPES[e.code] ?? legacy : legacy;
  const message = e instanceof HttpError ? HTTP_WORDING[e.code] ?? e.message : e.message;
  if (shape.shape === 'errutil') return { status: e.status, body: { message, messageId: shape.messageId, statusCode: e.status, traceID: '' } };
  if (shape.shape === 'rbac') {
    const id = String(Math.floor(Math.random() * 1e10)).padStart(10, '0');
    return { status: e.status, body: { accessErrorId: `ACE${id}`, message, title: 'Access denied' } };
  }
  const extra = e instanceof CoreError && e.code === 'ALREADY_MEMBER' ? { userId: e.params.userId } : {};
  return { status: e.status, body: { message, ...extra } };
}

export const GRAFANA_JSON = 'application/json; charset=utf-8';
