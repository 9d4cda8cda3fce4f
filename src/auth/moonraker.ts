// Moonraker's order (authorization.py `authenticate_request`).
import type { Pipeline } from './pipeline.js';
import { moonrakerJwt } from './steps/moonraker-jwt.js';
import { oneshotToken } from './steps/oneshot-token.js';
import { moonrakerApiKey } from './steps/moonraker-api-key.js';
import { forceLogins } from './steps/force-logins.js';
import { trustedClient } from './steps/trusted-client.js';

export const moonrakerPipeline: Pipeline = [moonrakerJwt, oneshotToken, moonrakerApiKey, forceLogins, trustedClient];
