// Gatehouse as a library: start the full server inside your own Node process,
// or use the core directly (e.g. to verify a token or an API key in your app).
export { createGatehouse, type Gatehouse, type GatehouseOptions } from './server/gatehouse.js';
export { Core, type CoreOptions, type LoginResult } from './core/core.js';
export { GatehouseError, Errors } from './core/errors.js';
export type { Identity, IdentityKind } from './core/identity.js';
export { authenticate, type AuthRequest, type AuthStep, type Pipeline } from './auth/pipeline.js';
export { moonrakerPipeline } from './auth/moonraker.js';
export { openStore, type Store } from './store/index.js';
