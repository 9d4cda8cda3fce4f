// The scope table (src/auth/scopes.ts) as the pure function the gateway's HTTP
// and websocket checks call: (scope, request) → allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scopeAllows, scopeFor, scopeTable } from '../../src/auth/scopes.js';

const http = (method: string, path: string) => ({ http: { method, path } });

test('read: queries, subscriptions and GET requests generally', () => {
  for (const r of [http('GET', '/server/info'), http('POST', '/printer/objects/query'), http('GET', '/server/files/gcodes/a.gcode'),
    http('HEAD', '/server/history/list'), http('GET', '/server/some/future/query'), { rpc: 'printer.objects.subscribe' }, { rpc: 'server.files.list' },
    { rpc: 'server.webcams.list' }, { rpc: 'server.history.list' }, { rpc: 'server.connection.identify' }]) {
    assert.equal(scopeFor(r), 'read', JSON.stringify(r));
    assert.ok(scopeAllows('read', r));
  }
});

test('control: printing, motion, uploads and deletes of files, emergency stop', () => {
  for (const r of [http('POST', '/printer/print/start'), http('POST', '/printer/gcode/script'), http('GET', '/printer/gcode/script'),
    http('POST', '/server/files/upload'), http('DELETE', '/server/files/gcodes/a.gcode'), http('POST', '/printer/emergency_stop'),
    { rpc: 'printer.gcode.script' }, { rpc: 'printer.emergency_stop' }, { rpc: 'server.files.delete_file' }, { rpc: 'printer.print.cancel' }]) {
    assert.equal(scopeFor(r), 'control', JSON.stringify(r));
    assert.ok(!scopeAllows('read', r));
    assert.ok(scopeAllows('control', r));
    assert.ok(scopeAllows('admin', r));
  }
});

test('admin: /access administration, /machine power and updates, config files and logs (moonraker.log holds the configuration), and anything the table does not name', () => {
  for (const r of [http('POST', '/access/user'), http('GET', '/access/users/list'), http('GET', '/access/api_key'), http('POST', '/access/api_keys'),
    http('POST', '/machine/reboot'), http('POST', '/machine/update/full'), http('POST', '/machine/device_power/on'), http('GET', '/machine/sudo/info'),
    http('GET', '/server/files/config/printer.cfg'), http('DELETE', '/server/files/config/printer.cfg'), http('POST', '/server/restart'),
    http('GET', '/server/files/logs/moonraker.log'), http('HEAD', '/server/files/logs/klippy.log'), http('GET', '/server/files/moonraker.log'), http('GET', '/server/files/klippy.log'),
    http('PUT', '/server/anything'), http('POST', '/server/not/in/the/table'),
    { rpc: 'access.api_keys.create' }, { rpc: 'machine.shutdown' }, { rpc: 'server.database.post_item' }, { rpc: 'some.future.method' }]) {
    assert.equal(scopeFor(r), 'admin', JSON.stringify(r));
    assert.ok(!scopeAllows('control', r));
    assert.ok(scopeAllows('admin', r));
  }
});

test('every line of the table is well formed: a known scope, a METHOD /path or none, JSON-RPC names unique', () => {
  const seen = new Set<string>();
  for (const l of scopeTable()) {
    assert.ok(['read', 'control', 'admin'].includes(l.scope));
    if (l.route !== null) assert.match(l.route, /^(GET|POST|DELETE)(\|(GET|POST|DELETE))* \/\S+$/);
    for (const name of l.rpc) {
      assert.ok(!seen.has(name), name);
      seen.add(name);
    }
  }
});

test('arguments: a file call below admin needs admin when a path argument names the config root or climbs with ..; other calls\' arguments change nothing', () => {
  const rpc = (name: string, args: Record<string, unknown>) => ({ rpc: name, args });
  for (const r of [rpc('server.files.move', { source: 'gcodes/a.gcode', dest: 'config/a.cfg' }), rpc('server.files.copy', { source: 'config/printer.cfg', dest: 'gcodes/x' }),
    rpc('server.files.zip', { items: ['gcodes/a', 'config/printer.cfg'] }), rpc('server.files.delete_file', { path: '/config/printer.cfg' }),
    rpc('server.files.copy', { source: 'logs/moonraker.log', dest: 'gcodes/m.log' }), rpc('server.files.zip', { items: ['logs'], dest: 'gcodes/logs.zip' }),
    rpc('server.files.post_directory', { path: 'gcodes/../config/new' }), rpc('server.files.delete_directory', { path: 'config' }),
    { http: { method: 'POST', path: '/server/files/directory' }, args: { path: './config/x' } }, { http: { method: 'DELETE', path: '/server/files/directory' }, args: { path: 'config/' } }]) {
    assert.equal(scopeFor(r), 'admin', JSON.stringify(r));
  }
  for (const r of [rpc('server.files.move', { source: 'gcodes/a.gcode', dest: 'gcodes/configs/a.gcode' }), rpc('server.files.zip', { items: ['gcodes/a'], dest: 'gcodes/z.zip' }),
    rpc('server.files.delete_file', { path: 'gcodes/config' }), rpc('server.files.move', { source: 7, dest: null }), rpc('server.files.move', {})]) {
    assert.equal(scopeFor(r), 'control', JSON.stringify(r));
  }
  const upload = (args: Record<string, unknown>) => ({ http: { method: 'POST', path: '/server/files/upload' }, args });
  for (const args of [{ root: 'config' }, { root: ' CONFIG ' }, { root: 'gcodes', path: '../config' }, { filename: 'a/../../config/printer.cfg' }]) assert.equal(scopeFor(upload(args)), 'admin', JSON.stringify(args));
  for (const args of [{}, { root: 'gcodes', path: 'config', filename: 'config.gcode' }]) assert.equal(scopeFor(upload(args)), 'control', 'an upload\'s path and name are inside its root: ' + JSON.stringify(args));
  assert.equal(scopeFor({ http: { method: 'POST', path: '/api/files/local' }, args: { root: 'config' } }), 'admin', 'OctoPrint\'s upload route is the same handler');
  assert.equal(scopeFor(rpc('printer.gcode.script', { path: 'config/x' })), 'control', 'not a file call');
  assert.equal(scopeFor(rpc('server.files.list', { path: 'config' })), 'read', 'reading a listing stays read');
});
