// One Grafana API route: method, path, who may call it, its body schema and its
// handler. http.ts mounts them; each lives in endpoints/ beside its schema.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Core } from '../../core/core.js';
import type { GatehouseError } from '../../core/errors.js';
import { GrafanaErrors as G } from '../../core/grafana/errors.js';
import type { GrafanaCore, GrafanaIdentity } from '../../core/grafana/grafana-core.js';
import { roleIncludes } from '../../core/grafana/roles.js';
import type { Role } from '../../store/types.js';

/**
 * Who may call a route, as Grafana 10.4's access-control middleware decides it
 * (the org role's built-in permissions). A refusal names the permission.
 *  - org:    a role in the org the request acts in (orgs:read is Viewer; the rest Admin)
 *  - server: a Grafana server admin (the /api/orgs routes)
 */
export type Access =
  | { org: Role; action: string }
  | { server: true; action: string }
  | { custom: (id: GrafanaIdentity, g: GrafanaCore) => void };

export interface RouteContext<B = unknown> {
  g: GrafanaCore;
  core: Core;
  /** Null only on routes whose auth is 'optional'. */
  identity: GrafanaIdentity;
  body: B;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  ip: string;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface GrafanaRoute<S extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** 'optional': a failed credential is treated as none (GET /api/login/ping). */
  auth?: 'required' | 'optional';
  access?: Access;
  /** The JSON body, shaped as Go's json.Unmarshal would accept it into the command struct. */
  body?: S;
  /** A missing body reaches the handler as undefined instead of failing the bind. */
  bodyOptional?: boolean;
  /** What a body that does not bind answers (Grafana's "bad request data" unless said otherwise). */
  bindError?: () => GatehouseError;
  /** The response body, or a promise of it (a handler with nothing to wait for answers synchronously). */
  handle(ctx: RouteContext<z.output<S>>): unknown;
}

export const defineRoute = <S extends z.ZodType>(r: GrafanaRoute<S>): GrafanaRoute<S> => r;

export function checkAccess(access: Access | undefined, id: GrafanaIdentity, g: GrafanaCore): void {
  if (!access) return;
  if ('custom' in access) return access.custom(id, g);
  if ('server' in access) {
    if (!id.isGrafanaAdmin) throw G.accessDenied(access.action);
    return;
  }
  if (!roleIncludes(id.orgRole, access.org)) throw G.accessDenied(access.action);
}

/** Handlers that act for a person (GET /api/user …): API keys and service accounts are refused. */
export function requireUser(id: GrafanaIdentity): number {
  if (id.kind !== 'user' || id.userId === null) throw G.onlyForUsers();
  return id.userId;
}

/** Go's strconv.ParseInt for a path parameter; undefined when it does not parse. */
export function intParam(v: string | undefined): number | undefined {
  if (v === undefined || !/^[+-]?\d{1,16}$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Go's strconv.ParseBool, as c.QueryBool reads a query flag. */
export const queryBool = (v: string | undefined) => v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);

/** c.QueryInt: 0 when absent or not an integer. */
export const queryInt = (v: string | undefined) => intParam(v) ?? 0;
