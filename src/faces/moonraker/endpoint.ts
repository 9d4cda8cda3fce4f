// One Moonraker endpoint, defined once and served on both transports: HTTP
// (method + path) and JSON-RPC over the websocket (method name), as Moonraker
// registers its endpoints.
import type { z } from 'zod';
import type { Core } from '../../core/core.js';
import type { Identity } from '../../core/model.js';

export interface EndpointContext {
  core: Core;
  identity: Identity | null;
  ip: string;
  /** The client's User-Agent header (HTTP only), for the account's session list. */
  userAgent?: string;
  /** Replace the identity of the connection the request came over (websocket) or names (HTTP `connection_id`): a login. */
  setConnectionIdentity?: (identity: Identity | null) => void;
  transport: 'http' | 'websocket';
}

export interface Endpoint<S extends z.ZodType = z.ZodType> {
  http: { method: 'GET' | 'POST' | 'DELETE'; path: string };
  rpc: string;
  authRequired: boolean;
  args: S;
  handle(ctx: EndpointContext, args: z.output<S>): Promise<unknown>;
}

export const defineEndpoint = <S extends z.ZodType>(e: Endpoint<S>): Endpoint<S> => e;
