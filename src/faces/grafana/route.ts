// One Grafana API route: method, path, who may call it, its body schema and its
// handler. http.ts mounts them; each lives in endpoints/ beside its schema.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Core } from '../../core/core.js';
import { roleIncludes, type Identity, type Role } from '../../core/model.js';
import { GrafanaError, type GrafanaCode } from './errors.js';

/**
 * Who may call a route, as Grafana 10.4's access-control middleware decides it
 * (the org role's built-in permissions). A refusal names the permission.
 *  - org:    a role in the org the request acts in (orgs:read is Viewer; the rest Admin)
 *  - server: a Grafana server admin (the /api/orgs routes)
 */
export type Access =
  | { org: Role; action: string }
  | { server: true; action: string }
  | { custom: (id: Identity, core: Core, params: Record<string, string>) => void };

export interface RouteContext<B = unknown> {
  core: Core;
  /** Null only on routes whose auth is 'optional'. */
  identity: Identity;
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
  /**
   * 'optional': a failed credential is treated as none (GET /api/login/ping);
   * 'none': credentials are not looked at (GET /api/health). A handler may write
   * the reply itself and return it.
   */
  auth?: 'required' | 'optional' | 'none';
  access?: Access;
  /** The JSON body, shaped as Go's json.Unmarshal would accept it into the command struct. */
  body?: S;
  /** A missing body reaches the handler as undefined instead of failing the bind. */
  bodyOptional?: boolean;
  /** What a body that does not bind answers (Grafana's "bad request data" unless said otherwise). */
  bindError?: GrafanaCode;
  handle(ctx: RouteContext<z.output<S>>): Promise<unknown>;
}

export const defineRoute = <S extends z.ZodType>(r: GrafanaRoute<S>): GrafanaRoute<S> => r;

export function checkAccess(access: Access | undefined, id: Identity, core: Core, params: Record<string, string> = {}): void {
  if (!access) return;
  if ('custom' in access) return access.custom(id, core, params);
  const ok = 'server' in access ? id.isGrafanaAdmin : roleIncludes(id.orgRole, access.org);
  if (!ok) throw new GrafanaError('ACCESS_DENIED', { action: access.action });
}

/** Handlers that act for a person (GET /api/user …): API keys and service accounts are refused. */
export function requireUser(id: Identity): number {
  if (id.kind !== 'user' || id.userId === null) throw new GrafanaError('ONLY_FOR_USERS');
  return id.userId;
}

/** Go's strconv.ParseInt for a path parameter; `invalid` when it does not parse. */
export function intParam(v: string | undefined, invalid: GrafanaCode): number {
  const n = v !== undefined && /^[+-]?\d{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new GrafanaError(invalid);
  return n;
}

/** Go's strconv.ParseBool, as c.QueryBool reads a query flag. */
export const queryBool = (v: string | undefined) => v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);

/** c.QueryInt: 0 when absent or not an integer. */
export function queryInt(v: string | undefined): number {
  const n = v !== undefined && /^[+-]?\d{1,16}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : 0;
}

/**
 * Grafana's authorizeInOrg(UseOrgFromContextParams): `action` needs the org role
 * Admin in the org `:orgId` names. A server admin may act in any org; an API key or
 * service-account token only in its own org.
 */
export function inOrgFromParams(action: string): Access {
  return {
    custom(id, core, params) {
      if (id.isGrafanaAdmin) return;
      const orgId = Number(params.orgId);
      const role = id.kind === 'user' && id.userId !== null ? core.orgs.roleOf(id.userId, orgId) : id.orgId === orgId ? id.orgRole : null;
      if (role !== 'Admin') throw new GrafanaError('ACCESS_DENIED', { action });
    },
  };
}
