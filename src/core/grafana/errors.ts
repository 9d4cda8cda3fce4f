// The Grafana face's failures, worded as Grafana words them (messages and status
// codes from Grafana's source, see /work/shared/specs/grafana-spec.md). They are
// GatehouseErrors like every other failure; `detail.grafana` says which of
// Grafana's two body shapes the face writes:
//   - legacy  `{"message": ...}`                    (response.Error / JsonApiErr)
//   - errutil `{"message","messageId","statusCode","traceID"}` (the authn layer)
//   - rbac    `{"accessErrorId","message","title"}`  (the access-control middleware)
import { GatehouseError } from '../errors.js';

export type GrafanaShape =
  | { shape: 'legacy'; extra?: Record<string, unknown> }
  | { shape: 'errutil'; messageId: string }
  | { shape: 'rbac'; action: string };

const legacy = (status: number, message: string, extra?: Record<string, unknown>) =>
  new GatehouseError('GRAFANA', message, status, { grafana: { shape: 'legacy', extra } satisfies GrafanaShape });
const errutil = (status: number, messageId: string, message: string) =>
  new GatehouseError('GRAFANA', message, status, { grafana: { shape: 'errutil', messageId } satisfies GrafanaShape });

export const GrafanaErrors = {
  /** Any handler's `response.Error(status, message)`. */
  legacy,

  // authentication (401)
  unauthorized: () => errutil(401, 'auth.unauthorized', 'Unauthorized'),
  /** A session cookie that is unknown, revoked or expired: Grafana's fallback body. */
  sessionInvalid: () => legacy(401, 'Unauthorized'),
  invalidApiKey: () => errutil(401, 'api-key.invalid', 'Invalid API key'),
  expiredApiKey: () => errutil(401, 'api-key.expired', 'Expired API key'),
  revokedApiKey: () => errutil(401, 'api-key.revoked', 'Revoked API key'),
  apiKeyOrgMismatch: () => errutil(401, 'api-key.organization-mismatch', 'API key does not belong to the requested organization'),
  passwordAuthFailed: () => errutil(401, 'password-auth.failed', 'Invalid username or password'),
  loginBlockedIp: () => errutil(401, 'login-attempt.blocked', 'Login temporarily blocked'),
  identityDisabled: () => errutil(401, 'identity.disabled', 'Unauthorized'),
  badLoginData: () => errutil(400, 'form-auth.invalid', 'bad login data'),
  loginDisabled: () => legacy(401, 'Login is disabled'),

  // authorization (403)
  permissionDenied: () => legacy(403, 'Permission denied'),
  /** The RBAC middleware's denial, naming the permission the route needs. */
  accessDenied: (action: string) =>
    new GatehouseError('GRAFANA', `You'll need additional permissions to perform this action. Permissions needed: ${action}`, 403, {
      grafana: { shape: 'rbac', action } satisfies GrafanaShape,
    }),
  onlyForUsers: () => legacy(403, 'Endpoint only available for users'),

  // request shape
  badRequestData: () => legacy(400, 'bad request data'),
  invalidRole: () => legacy(400, 'Invalid role specified'),
  roleTooHigh: () => legacy(403, "Cannot assign a role higher than user's role"),
  notFound: () => legacy(404, 'Not found'),

  // orgs
  orgNotFound: () => legacy(404, 'Organization not found'),
  orgNameTaken: (status: 400 | 409) => legacy(status, 'Organization name taken'),
  orgDeleteCurrent: () => legacy(400, 'Can not delete org for current user'),
  orgDeleteNotFound: () => legacy(404, 'Failed to delete organization. ID not found'),
  notAValidOrg: () => legacy(401, 'Not a valid organization'),
  userNotFound: () => legacy(404, 'User not found'),
  alreadyMember: (userId: number) => legacy(409, 'User is already member of this organization', { userId }),
  lastAdminRole: () => legacy(400, 'Cannot change role so that there is no organization admin left'),
  lastAdminRemove: () => legacy(400, 'Cannot remove last organization admin'),

  // API keys and tokens
  ttlRequired: () => legacy(400, 'Number of seconds before expiration should be set'),
  ttlAboveLimit: () => legacy(400, 'Number of seconds before expiration is greater than the global limit'),
  ttlNegative: () => legacy(400, 'negative value for SecondsToLive'),
  quotaReached: (target: string) => legacy(403, `${target} Quota reached`),
  keyDuplicate: () => legacy(409, 'API key, organization ID and name must be unique'),
  keyDeleteFailed: () => legacy(404, 'Failed to delete API key'),
  keyCreateGone: () =>
    legacy(410, 'this endpoint has been removed, please use POST /api/serviceaccounts and POST /api/serviceaccounts/{id}/tokens instead'),
  saTokenExpiryLimit: () =>
    legacy(400, 'The expiration date input exceeds the limit for service account access tokens expiration date'),

  // service accounts
  saIdInvalid: () => legacy(400, 'Service Account ID is invalid'),
  saNotFound: () => errutil(404, 'serviceaccounts.ErrNotFound', 'service account not found'),
  saExists: () => errutil(409, 'serviceaccounts.ErrAlreadyExists', 'service account already exists'),
  saNameRequired: () => errutil(400, 'serviceaccounts.ErrNameRequired', 'required value name must not be empty'),
  saTokenDuplicate: () => errutil(409, 'serviceaccounts.ErrTokenAlreadyExists', 'service account token with given name already exists in the organization'),
  saTokenIdInvalid: () => legacy(400, 'Token ID is invalid'),
  saTokenNotFound: () => legacy(404, 'Failed to delete API key'),
} as const;

export const grafanaShapeOf = (err: GatehouseError): GrafanaShape | undefined =>
  (err.detail as { grafana?: GrafanaShape } | undefined)?.grafana;
