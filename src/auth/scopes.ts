// THE scope table (issue 20): which scope each Moonraker request needs, by HTTP
// method + path and by JSON-RPC method name, for gatehouse's own /access
// routes and for everything the gateway forwards. Route names are Moonraker's
// own (moonraker/components/*.py register_endpoint; a multi-method endpoint's
// JSON-RPC names are `<verb>_<last segment>`, e.g. server.files.get_directory).
//
// How a request is looked up (scopeFor):
//   1. a rule naming the exact path (HEAD and OPTIONS count as GET);
//   2. else the first pattern rule that matches (`*`: one segment, a trailing `**`: one or more);
//   3. else a GET is `read` ("GET requests generally");
//   4. else `admin`: anything the table does not name needs admin.
// A JSON-RPC method the table does not name needs admin.
//
// Arguments: a file call the table grants `control` (create, delete, move, copy,
// zip, upload) needs admin when one of its path arguments names the config root
// (printer.cfg, moonraker.conf: a write there changes the machine), the logs
// root (they hold the configuration) or climbs with `..` (FILE_CALLS below);
// the gateway hands the call's arguments in.
// DELETE and downloads of /server/files/config/… and of the logs are admin by path.
// An upload's root and paths are multipart fields: the gateway reads them as the
// body streams on (faces/gateway/deciding-args.ts).
import type { Core } from '../core/core.js';
import { scopeIncludes, type Identity, type Scope } from '../core/model.js';

/** One line of the table: scope, `METHOD[|METHOD] /path` (or null: JSON-RPC only), JSON-RPC method names. */
type Line = readonly [Scope, string | null, ...string[]];

const LINES: readonly Line[] = [
  // ---- gatehouse's own /access (Moonraker's authorization.py, plus named keys and scopes) ----
  ['read', 'POST /access/login', 'access.login'],
  ['read', 'POST /access/logout', 'access.logout'],
  ['read', 'POST /access/refresh_jwt', 'access.refresh_jwt'],
  ['read', 'GET /access/info', 'access.info'],
  ['read', 'GET /access/user', 'access.get_user'],
  ['read', 'POST /access/user/password', 'access.user.password'],
  ['read', 'GET /access/oneshot_token', 'access.oneshot_token'],
  ['admin', 'POST /access/user', 'access.post_user'],
  ['admin', 'DELETE /access/user', 'access.delete_user'],
  ['admin', 'GET /access/users/list', 'access.users.list'],
  ['admin', 'POST /access/user/scope', 'access.user.scope'],
  ['admin', 'GET /access/api_key', 'access.get_api_key'],
  ['admin', 'POST /access/api_key', 'access.post_api_key'],
  ['admin', 'GET /access/api_keys', 'access.api_keys.list'],
  ['admin', 'POST /access/api_keys', 'access.api_keys.create'],
  ['admin', 'DELETE /access/api_keys', 'access.api_keys.delete'],
  // ---- the websocket's own ----
  ['read', null, 'server.connection.identify', 'server.websocket.id'],
  // ---- Klippy (klippy_apis.py; Klipper's remote endpoints accept GET and POST) ----
  ['read', 'GET|POST /printer/info', 'printer.info'],
  ['read', 'GET|POST /printer/objects/list', 'printer.objects.list'],
  ['read', 'GET|POST /printer/objects/query', 'printer.objects.query'],
  ['read', 'GET|POST /printer/objects/subscribe', 'printer.objects.subscribe'],
  ['read', 'GET|POST /printer/gcode/help', 'printer.gcode.help'],
  ['read', 'GET|POST /printer/query_endstops/status', 'printer.query_endstops.status'],
  ['control', 'GET|POST /printer/gcode/script', 'printer.gcode.script'],
  ['control', 'GET|POST /printer/emergency_stop', 'printer.emergency_stop'],
  ['control', 'POST /printer/print/start', 'printer.print.start'],
  ['control', 'POST /printer/print/pause', 'printer.print.pause'],
  ['control', 'POST /printer/print/resume', 'printer.print.resume'],
  ['control', 'POST /printer/print/cancel', 'printer.print.cancel'],
  ['control', 'POST /printer/restart', 'printer.restart'],
  ['control', 'POST /printer/firmware_restart', 'printer.firmware_restart'],
  // ---- files (file_manager.py, application.py's upload and file handlers) ----
  ['read', 'GET /server/files/list', 'server.files.list'],
  ['read', 'GET /server/files/metadata', 'server.files.metadata'],
  ['read', 'GET /server/files/thumbnails', 'server.files.thumbnails'],
  ['read', 'GET /server/files/roots', 'server.files.roots'],
  ['read', 'GET /server/files/directory', 'server.files.get_directory'],
  ['control', 'POST /server/files/directory', 'server.files.post_directory'],
  ['control', 'DELETE /server/files/directory', 'server.files.delete_directory'],
  ['control', 'POST /server/files/move', 'server.files.move'],
  ['control', 'POST /server/files/copy', 'server.files.copy'],
  ['control', 'POST /server/files/zip', 'server.files.zip'],
  ['control', 'POST /server/files/metascan', 'server.files.metascan'],
  ['control', null, 'server.files.delete_file'],
  ['control', 'POST /server/files/upload'],
  ['control', 'POST /api/files/local'],
  ['admin', 'GET|DELETE /server/files/config/**'],
  // logs: moonraker.log holds Moonraker's whole configuration (server.py _parse_config), klippy.log printer.cfg's
  ['admin', 'GET|DELETE /server/files/logs/**'],
  ['admin', 'GET /server/files/moonraker.log'],
  ['admin', 'GET /server/files/klippy.log'],
  ['read', 'GET /server/files/*/**'],
  ['control', 'DELETE /server/files/*/**'],
  // ---- jobs and history (job_queue.py, history.py) ----
  ['read', 'GET /server/job_queue/status', 'server.job_queue.status'],
  ['control', 'POST /server/job_queue/job', 'server.job_queue.post_job'],
  ['control', 'DELETE /server/job_queue/job', 'server.job_queue.delete_job'],
  ['control', 'POST /server/job_queue/pause', 'server.job_queue.pause'],
  ['control', 'POST /server/job_queue/start', 'server.job_queue.start'],
  ['control', 'POST /server/job_queue/jump', 'server.job_queue.jump'],
  ['read', 'GET /server/history/list', 'server.history.list'],
  ['read', 'GET /server/history/totals', 'server.history.totals'],
  ['read', 'GET /server/history/job', 'server.history.get_job'],
  // ---- server queries ----
  ['read', 'GET /server/info', 'server.info'],
  ['read', 'GET /server/config', 'server.config'],
  ['read', 'GET /server/temperature_store', 'server.temperature_store'],
  ['read', 'GET /server/gcode_store', 'server.gcode_store'],
  ['read', 'GET /server/webcams/list', 'server.webcams.list'],
  ['read', 'GET /server/webcams/item', 'server.webcams.get_item'],
  ['read', 'GET /server/database/list', 'server.database.list'],
  ['read', 'GET /server/database/item', 'server.database.get_item'],
  ['read', 'GET /server/announcements/list', 'server.announcements.list'],
  ['read', 'GET /server/announcements/feeds', 'server.announcements.feeds'],
  ['read', 'GET /server/sensors/list', 'server.sensors.list'],
  ['read', 'GET /server/sensors/info', 'server.sensors.info'],
  ['read', 'GET /server/sensors/measurements', 'server.sensors.measurements'],
  ['read', 'GET /server/spoolman/status', 'server.spoolman.status'],
  ['read', 'GET /server/spoolman/spool_id', 'server.spoolman.get_spool_id'],
  ['control', 'POST /server/spoolman/spool_id', 'server.spoolman.post_spool_id'],
  ['read', 'GET /server/analysis/status', 'server.analysis.status'],
  ['read', 'GET /server/notifiers/list', 'server.notifiers.list'],
  ['read', 'GET /server/extensions/list', 'server.extensions.list'],
  // ---- machine queries (everything else under /machine is admin: power, services, updates, sudo) ----
  ['admin', 'GET /machine/sudo/info', 'machine.sudo.info'],
  ['read', 'GET /machine/system_info', 'machine.system_info'],
  ['read', 'GET /machine/proc_stats', 'machine.proc_stats'],
  ['read', 'GET /machine/update/status', 'machine.update.status'],
  ['read', 'GET /machine/device_power/devices', 'machine.device_power.devices'],
  ['read', 'GET /machine/device_power/status', 'machine.device_power.status'],
  ['read', 'GET /machine/device_power/device', 'machine.device_power.get_device'],
  ['read', 'GET /machine/wled/strips', 'machine.wled.strips'],
  ['read', 'GET /machine/wled/status', 'machine.wled.status'],
  ['read', 'GET /machine/wled/strip', 'machine.wled.get_strip'],
  ['read', 'GET /machine/peripherals/serial', 'machine.peripherals.serial'],
  ['read', 'GET /machine/peripherals/usb', 'machine.peripherals.usb'],
  ['read', 'GET /machine/peripherals/canbus', 'machine.peripherals.canbus'],
  ['read', 'GET /machine/peripherals/video', 'machine.peripherals.video'],
  // ---- OctoPrint compatibility (octoprint_compat.py: slicers upload and print) ----
  ['read', 'POST /api/login'],
  ['control', 'POST /api/printer/command'],
  ['control', 'POST /api/files/moonraker/**'],
];

/** A request: its HTTP method and path or its JSON-RPC name, and (where they decide) its arguments. */
export type ScopeRequest = ({ http: { method: string; path: string } } | { rpc: string }) & { args?: Record<string, unknown> };

/**
 * How an argument names a place: `rooted` is "<root>/<path>" (server.files.*), `root` a root's name (an
 * upload's), `inside` a path within the root (an upload's `path`, its file's name).
 */
type ArgKind = 'rooted' | 'root' | 'inside';

/** Moonraker's upload handler (application.py), also behind OctoPrint's upload route (octoprint_compat.py): its arguments are multipart fields. */
export const UPLOAD_PATHS: readonly string[] = ['/server/files/upload', '/api/files/local'];

/** File calls whose scope also depends on the places their arguments name: the JSON-RPC name or `METHOD path` → those arguments. */
const FILE_CALLS = new Map<string, Readonly<Record<string, ArgKind>>>();
for (const [rpc, route, args] of [
  ['server.files.post_directory', 'POST /server/files/directory', { path: 'rooted' }],
  ['server.files.delete_directory', 'DELETE /server/files/directory', { path: 'rooted' }],
  ['server.files.move', 'POST /server/files/move', { source: 'rooted', dest: 'rooted' }],
  ['server.files.copy', 'POST /server/files/copy', { source: 'rooted', dest: 'rooted' }],
  ['server.files.zip', 'POST /server/files/zip', { items: 'rooted', dest: 'rooted' }],
  ['server.files.delete_file', null, { path: 'rooted' }],
  ...UPLOAD_PATHS.map((path) => [null, `POST ${path}`, { root: 'root', path: 'inside', filename: 'inside' }] as const),
] as const) {
  if (rpc) FILE_CALLS.set(rpc, args);
  if (route) FILE_CALLS.set(route, args);
}

/** Roots whose files only admin may change, or copy where others can read them: the configuration, and the logs that hold it. */
const ADMIN_ROOTS = new Set(['config', 'logs']);

/** The arguments that decide this request's scope (FILE_CALLS), or undefined: its method and path decide alone. */
export function deciding(r: ScopeRequest): Readonly<Record<string, ArgKind>> | undefined {
  return FILE_CALLS.get('rpc' in r ? r.rpc : `${asGet(r.http.method)} ${r.http.path}`);
}

/** Does an argument (text, or a list of them: zip's items) reach an admin root, or climb out of the root it is in? */
function reachesAdminRoot(kind: ArgKind, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => reachesAdminRoot(kind, v));
  if (typeof value !== 'string') return false;
  const segments = value.split('/').filter((seg) => seg !== '' && seg !== '.');
  if (segments.includes('..')) return true;
  const root = kind === 'rooted' ? segments[0] : kind === 'root' ? value.trim() : undefined;
  return root !== undefined && ADMIN_ROOTS.has(root.toLowerCase()); // Moonraker lowercases an upload's root
}

interface Pattern { methods: Set<string>; re: RegExp; scope: Scope; text: string }

/** method → path → scope (no string built per request). */
const exact = new Map<string, Map<string, Scope>>();
const patterns: Pattern[] = [];
const rpcScopes = new Map<string, Scope>();

const segmentRe = (seg: string) => (seg === '*' ? '[^/]+' : seg === '**' ? '.+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

for (const [scope, route, ...rpc] of LINES) {
  for (const name of rpc) rpcScopes.set(name, scope);
  if (route === null) continue;
  const [methods, path] = route.split(' ') as [string, string];
  if (path.includes('*')) {
    patterns.push({ methods: new Set(methods.split('|')), re: new RegExp(`^${path.split('/').map(segmentRe).join('/')}$`), scope, text: route });
  } else for (const m of methods.split('|')) {
    if (!exact.has(m)) exact.set(m, new Map());
    exact.get(m)!.set(path, scope);
  }
}

function asGet(method: string): string {
  if (method === 'GET') return method;
  const m = method.toUpperCase();
  return m === 'HEAD' || m === 'OPTIONS' ? 'GET' : m;
}

/** The scope a request needs. */
export function scopeFor(r: ScopeRequest): Scope {
  const scope = tableScope(r);
  if (scope === 'admin' || !r.args) return scope;
  const kinds = deciding(r);
  if (kinds) for (const name in kinds) if (reachesAdminRoot(kinds[name]!, r.args[name])) return 'admin';
  return scope;
}

/** The table's answer: the method and path, or the method name. */
function tableScope(r: ScopeRequest): Scope {
  if ('rpc' in r) return rpcScopes.get(r.rpc) ?? 'admin';
  const method = asGet(r.http.method);
  const path = r.http.path;
  const hit = exact.get(method)?.get(path);
  if (hit) return hit;
  for (const p of patterns) if (p.methods.has(method) && p.re.test(path)) return p.scope;
  return method === 'GET' ? 'read' : 'admin';
}

/** May an identity of `scope` make this request? (Pure: the gateway's HTTP and websocket checks both call it.) */
export const scopeAllows = (scope: Scope, r: ScopeRequest): boolean => scope === 'admin' || scopeIncludes(scope, scopeFor(r));

/** The table as a readable list (README, `npm run docs`): per scope, its routes and methods. */
export function scopeTable(): { scope: Scope; route: string | null; rpc: string[] }[] {
  return LINES.map(([scope, route, ...rpc]) => ({ scope, route, rpc }));
}

/**
 * Refuses (throws the 403) when `identity` may not make request `r`: Moonraker's
 * envelope on HTTP, its JSON-RPC error on the websocket. No identity (an
 * endpoint that needs none) and admin pass at once.
 */
export function checkScope(core: Core, identity: Identity | null, r: ScopeRequest, ip?: string): void {
  if (identity === null || (identity.scope === 'admin' && identity.userId === null)) return; // the global key, a trusted client
  checkNeeded(core, identity, scopeFor(r), 'rpc' in r ? r.rpc : `${r.http.method} ${r.http.path}`, ip);
}

/** checkScope with the scope needed known in advance (an endpoint's, looked up once when it is registered). */
export function checkNeeded(core: Core, identity: Identity | null, needed: Scope, what: string, ip?: string): void {
  if (identity === null || needed === 'read') return;
  const scope = core.verify.scopeOf(identity);
  if (scope === 'admin' || scopeIncludes(scope, needed)) return;
  throw core.scopes.refuse(identity, scope, what, needed, ip);
}
