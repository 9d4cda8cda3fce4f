// Gatehouse as a library: start the full server inside your own Node process,
// or use the core directly (e.g. to verify a token or an API key in your app).
export { createGatehouse, type Gatehouse, type GatehouseOptions } from './server/gatehouse.js';
export { createCore, type Core, type CoreOptions } from './core/core.js';
export type { LoginResult } from './core/actions/login.js';
export { CoreError, CORE_ERRORS, type CoreCode } from './core/errors.js';
export type { Identity, IdentityKind, User, Role } from './core/model.js';
export { configSchema, defaultConfig, loadConfig, type Config, type ConfigInput } from './config/index.js';
export { authenticate } from './auth/run.js';
export { AuthRequest } from './auth/request.js';
export { POLICIES, type Policy } from './auth/policies.js';
export { openStore, type Store } from './store/index.js';
