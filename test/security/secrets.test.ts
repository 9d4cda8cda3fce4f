// Secrets: a full scenario at log level debug, then every secret it created is
// looked for in the logs, the audit trail (store and JSON lines), error bodies and
// the raw bytes of the SQLite files. Plus file permissions of what holds secrets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { startGatehouse, type Running } from '../helpers/server.js';
import { bearer, createUser, login } from './helpers.js';

let s: Running;
let dataDir: string;
let auditFile: string;
/** Every secret the scenario created or sent, by what it is. */
const secrets = new Map<string, string>();
/** Every body of a failed request (none may echo a secret). */
const errorBodies: string[] = [];

const keep = (what: string, value: string) => {
  assert.ok(value && value.length >= 8, `${what} is too short to scan for: ${value}`);
  secrets.set(value, what);
  return value;
};

async function req(method: string, path: string, o?: Parameters<Running['req']>[2]) {
  const r = await s.req(method, path, o);
  if (r.status >= 400) errorBodies.push(r.text);
  return r;
}

before(async () => {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-secrets-'));
  dataDir = join(root, 'fresh', 'data'); // created by gatehouse itself
  auditFile = join(root, 'audit.jsonl');
  const grafanaAdminPw = 'Grafana-admin-pa55';
  s = await startGatehouse({ gatehouse: { log_level: 'debug', grafana_enabled: true }, audit: { json_lines_file: auditFile }, authorization: { refresh_token_rotation: true }, security: { admin_password: grafanaAdminPw } } as any, dataDir);
  keep('password', grafanaAdminPw);

  const key1 = keep('api key', s.apiKey());
  const pw = { ann: keep('password', 'Ann-pa55word-!'), ben: keep('password', 'Ben-pa55word-?'), ben2: keep('password', 'Ben-new-pa55word') };
  const ann = await createUser(s, 'ann', pw.ann);
  keep('access token', ann.token); keep('refresh token', ann.refresh);
  const ben = await createUser(s, 'ben', pw.ben);
  keep('access token', ben.token); keep('refresh token', ben.refresh);

  // Wrong passwords are secrets too (often a real password with a typo).
  await req('POST', '/access/login', { body: { username: 'ann', password: keep('wrong password', 'Ann-pa55word-#') } });
  await req('POST', `/access/login?username=ann&password=${encodeURIComponent(keep('wrong password', 'query-string-pw-1'))}`);
  const l = await login(s, 'ann', pw.ann);
  keep('access token', l.token); keep('refresh token', l.refresh);

  // Refresh (rotation on: a new refresh token comes back), then a replay of the spent one.
  const r1 = await req('POST', '/access/refresh_jwt', { body: { refresh_token: l.refresh } });
  keep('access token', r1.json.result.token); keep('refresh token', r1.json.result.refresh_token);
  await req('POST', '/access/refresh_jwt', { body: { refresh_token: l.refresh } });
  await req('POST', `/access/refresh_jwt?refresh_token=${encodeURIComponent(keep('garbage refresh token', 'garbage.refresh.token-123'))}`);

  // Tokens in every place a client may put them, including query strings.
  await req('GET', `/access/user?access_token=${encodeURIComponent(ann.token)}`);
  await req('GET', '/access/user', { headers: { 'x-access-token': ann.token } });
  await req('GET', '/access/user', { headers: bearer(keep('forged token', 'eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImFubiJ9.')) });
  await req('GET', `/access/user?access_token=${keep('forged token', 'not-a-jwt-in-query')}`);

  // Oneshot tokens: issued, used in the query string, reused.
  for (let i = 0; i < 3; i++) {
    const o = await req('GET', '/access/oneshot_token', { headers: bearer(ann.token) });
    const t = keep('oneshot token', o.json.result);
    await req('GET', `/access/user?token=${t}`);
    await req('GET', `/access/user?token=${t}`);
  }

  // API key: read, rotate, used right and wrong.
  await req('GET', '/access/api_key', { headers: { 'x-api-key': key1 } });
  const rot = await req('POST', '/access/api_key', { headers: bearer(ann.token) });
  keep('api key', rot.json.result);
  await req('GET', '/access/user', { headers: { 'x-api-key': key1 } }); // the old key, now wrong
  await req('GET', `/access/user?api_key=${key1}`);

  // Password change (body and query string forms), a wrong current password, delete, logout.
  await req('POST', '/access/user/password', { headers: bearer(ben.token), body: { password: keep('wrong password', 'Ben-wrong-current'), new_password: keep('password', 'never-set-pw-1') } });
  await req('POST', `/access/user/password?password=${encodeURIComponent(pw.ben)}&new_password=${encodeURIComponent(pw.ben2)}`, { headers: bearer(ben.token) });
  await req('POST', `/access/user?username=cat&password=${encodeURIComponent(keep('password', 'cat-query-pw-123'))}`, { headers: { 'x-api-key': s.apiKey() } });
  await req('POST', `/access/user?username=dan&pass%77ord=${encodeURIComponent(keep('password', 'dan-encoded-name-pw'))}`, { headers: { 'x-api-key': s.apiKey() } });
  // The websocket: a oneshot token and an access token in the upgrade URL, identify with a token
  // and with the API key, a login (password) and a password change over JSON-RPC.
  const wsCall = async (query: string, frames: object[]) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/websocket${query}`, { perMessageDeflate: false });
    await new Promise<void>((ok, fail) => { ws.once('open', () => ok()); ws.once('error', fail); });
    const answers: any[] = [];
    ws.on('message', (d) => answers.push(JSON.parse(String(d))));
    for (const [i, f] of frames.entries()) {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: i + 1, ...f }));
      const deadline = Date.now() + 5000;
      while (!answers.some((a) => a.id === i + 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    }
    ws.close();
    return answers;
  };
  const os = await req('GET', '/access/oneshot_token', { headers: bearer(ann.token) });
  await wsCall(`?token=${keep('oneshot token', os.json.result)}`, [{ method: 'access.get_user' }]);
  await wsCall(`?access_token=${encodeURIComponent(ann.token)}`, [{ method: 'access.get_user' }]);
  const wsLogin = await wsCall('', [
    { method: 'server.connection.identify', params: { client_name: 'c', version: '1', type: 'web', url: 'x', access_token: ann.token } },
    { method: 'server.connection.identify', params: { client_name: 'c', version: '1', type: 'web', url: 'x', api_key: s.apiKey() } },
    { method: 'access.login', params: { username: 'ann', password: pw.ann } },
    { method: 'access.login', params: { username: 'ann', password: keep('wrong password', 'Ann-ws-typo-pw') } },
    { method: 'server.connection.identify', params: { client_name: 'c', version: '1', type: 'web', url: 'x', access_token: keep('forged token', 'ws-garbage-access-token') } },
  ]);
  const wsTokens = wsLogin.find((a) => a.id === 3)?.result;
  keep('access token', wsTokens.token);
  keep('refresh token', wsTokens.refresh_token);

  // The Grafana face: basic auth, a legacy API key, a service account and its token, a browser session.
  const basicAuth = (u: string, p: string) => ({ authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') });
  const admin = basicAuth('admin', grafanaAdminPw);
  await req('GET', '/api/org', { headers: basicAuth('admin', keep('wrong password', 'Grafana-wrong-pw')) });
  const gk = await req('POST', '/api/auth/keys', { headers: admin, body: { name: 'ci-key', role: 'Admin' } });
  const grafanaKey = keep('grafana api key', gk.json.key);
  await req('GET', '/api/org', { headers: { authorization: `Bearer ${grafanaKey}` } });
  await req('GET', '/api/org', { headers: basicAuth('api_key', grafanaKey) });
  await req('GET', '/api/org', { headers: { authorization: `Bearer ${grafanaKey.slice(0, -4)}AAAA` } });
  const sa = await req('POST', '/api/serviceaccounts', { headers: admin, body: { name: 'robot', role: 'Editor' } });
  const sat = await req('POST', `/api/serviceaccounts/${sa.json.id}/tokens`, { headers: admin, body: { name: 'robot-token' } });
  const saToken = keep('service-account token', sat.json.key);
  await req('GET', '/api/org', { headers: { authorization: `Bearer ${saToken}` } });
  const gl = await req('POST', '/login', { body: { user: 'ann', password: pw.ann } });
  const session = gl.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('grafana_session='))!;
  keep('grafana session', session.slice('grafana_session='.length));
  await req('GET', '/api/user', { headers: { cookie: session } });
  await req('POST', '/login', { body: { user: 'ann', password: keep('wrong password', 'Ann-grafana-typo') } });
  await req('DELETE', `/api/serviceaccounts/${sa.json.id}/tokens/${sat.json.id}`, { headers: admin });
  await req('GET', '/api/org', { headers: { authorization: `Bearer ${saToken}` } });
  await fetch(s.base + '/logout', { headers: { cookie: session }, redirect: 'manual' });
  await req('GET', '/api/user', { headers: { cookie: session } });

  await req('DELETE', '/access/user', { headers: bearer(ann.token), body: { username: 'ben' } });
  await req('POST', '/access/logout', { headers: bearer(ann.token) });
  await req('GET', '/access/user', { headers: bearer(ann.token) }); // revoked now
});

after(async () => {
  await s?.stop().catch(() => {});
});

function findSecrets(haystack: string | Buffer, where: string) {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  const found: string[] = [];
  for (const [secret, what] of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      if (text.includes(form)) found.push(`${what} ${JSON.stringify(secret)} in ${where}`);
    }
  }
  return found;
}

test('the scenario created secrets of every kind', () => {
  const kinds = new Set(secrets.values());
  for (const k of ['api key', 'password', 'wrong password', 'access token', 'refresh token', 'oneshot token', 'grafana api key', 'service-account token', 'grafana session']) assert.ok(kinds.has(k), k);
  assert.ok(secrets.size >= 25, String(secrets.size));
});

test('no secret in any log line (debug level, query strings included)', () => {
  const logs = s.logs.join('');
  assert.ok(logs.length > 1000, 'logs were captured');
  assert.match(logs, /\[redacted\]/, 'query-string secrets were seen and scrubbed');
  assert.deepEqual(findSecrets(logs, 'logs'), []);
});

test('no secret in any error body', () => {
  assert.ok(errorBodies.length >= 10);
  assert.deepEqual(errorBodies.flatMap((b, i) => findSecrets(b, `error body ${i}: ${b}`)), []);
});

test('no secret in any audit entry (store and JSON lines file)', async () => {
  const entries = await s.gh.core.audit.query({ limit: 10_000 });
  assert.ok(entries.length >= 10);
  assert.deepEqual(findSecrets(JSON.stringify(entries), 'audit store'), []);
  const lines = readFileSync(auditFile, 'utf8');
  assert.equal(lines.trim().split('\n').length, entries.length);
  assert.deepEqual(findSecrets(lines, 'audit JSON lines'), []);
});

/** The database file and its WAL/SHM companions, byte for byte. */
function dbFiles() {
  return readdirSync(dataDir).filter((f) => f.startsWith('gatehouse.sqlite')).map((f) => ({ f, bytes: readFileSync(join(dataDir, f)) }));
}

test('no plaintext secret in the SQLite files while running (WAL included)', () => {
  const files = dbFiles();
  assert.ok(files.some((x) => x.f.endsWith('-wal')), 'a WAL file exists while running');
  assert.deepEqual(files.flatMap((x) => findSecrets(x.bytes, x.f)), []);
});

test('at rest: argon2id password hashes, hashed oneshot tokens, Grafana keys and sessions as SHA-256, the API key sealed (AES-GCM), no plaintext anywhere after shutdown', async () => {
  const current = s.apiKey();
  await s.stop({ keepData: true });
  const files = dbFiles();
  assert.deepEqual(files.flatMap((x) => findSecrets(x.bytes, x.f)), []);
  const db = new Database(join(dataDir, 'gatehouse.sqlite'), { readonly: true });
  try {
    for (const u of db.prepare('select username, password_hash, is_service_account from users').all() as { username: string; password_hash: string | null; is_service_account: number }[]) {
      if (u.is_service_account) assert.equal(u.password_hash, null, u.username); // service accounts have no password at all
      else assert.match(u.password_hash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, u.username);
    }
    const sealed = (db.prepare("select value from settings where key = 'moonraker_api_key'").get() as { value: string }).value;
    assert.ok(!sealed.includes(current));
    assert.ok(Buffer.from(sealed, 'base64url').length >= 12 + 16 + 40, 'iv | tag | ciphertext');
    const hex = Buffer.from(sealed, 'base64url').toString('hex');
    assert.ok(!hex.includes(Buffer.from(current).toString('hex')));
    for (const r of db.prepare('select token_hash from oneshot_tokens').all() as { token_hash: string }[]) assert.match(r.token_hash, /^[0-9a-f]{64}$/);
    const keys = db.prepare('select hash, hash_kind from api_keys').all() as { hash: string; hash_kind: string }[];
    assert.ok(keys.length >= 1);
    for (const k of keys) assert.match(k.hash, /^[0-9a-f]{64}$/);
    const sessions = db.prepare('select token_hash from web_sessions').all() as { token_hash: string }[];
    assert.ok(sessions.length >= 1);
    for (const w of sessions) assert.match(w.token_hash, /^[0-9a-f]{64}$/);
    // Every text cell of every table, decoded, against every secret (catches any encoding the raw scan would miss).
    const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((t) => t.name);
    const cells = tables.flatMap((t) => db.prepare(`select * from "${t}"`).all().flatMap((row) => Object.values(row as object).map(String)));
    assert.deepEqual(findSecrets(cells.join('\n'), 'decoded cells'), []);
  } finally {
    db.close();
  }
});

test('the data directory is 0700; key files, the database (and WAL/SHM) and the audit file are 0600', () => {
  const mode = (p: string) => statSync(p).mode & 0o777;
  assert.equal(mode(dataDir), 0o700);
  for (const f of readdirSync(dataDir)) assert.equal(mode(join(dataDir, f)), 0o600, f);
  for (const f of ['master.key', 'jwt-ed25519.pem', 'gatehouse.sqlite']) assert.ok(existsSync(join(dataDir, f)), f);
  assert.equal(mode(auditFile), 0o600);
});

test('key files restored with loose permissions are tightened to 0600 at start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-perms-'));
  try {
    const first = await startGatehouse({}, dir);
    await first.stop({ keepData: true });
    for (const f of ['master.key', 'jwt-ed25519.pem', 'gatehouse.sqlite']) chmodSync(join(dir, f), 0o644);
    const again = await startGatehouse({}, dir);
    await again.stop({ keepData: true });
    for (const f of ['master.key', 'jwt-ed25519.pem', 'gatehouse.sqlite']) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt master key stops start-up with a message that does not print the key material', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-badkey-'));
  try {
    writeFileSync(join(dir, 'master.key'), 'deadbeef-secret-material\n', { mode: 0o600 });
    await assert.rejects(startGatehouse({}, dir), (err: Error) => {
      assert.match(err.message, /master\.key is not a 32-byte hex key/);
      assert.doesNotMatch(err.message, /deadbeef-secret-material/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
