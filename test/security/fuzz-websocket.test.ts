// Property-based fuzzing (fast-check) of the Moonraker websocket: random and
// malformed JSON-RPC (bad JSON, wrong shapes, odd ids, batches, every access.*
// method with random params, identify with garbage credentials), text and
// binary frames. Every answer must be well-formed JSON-RPC 2.0 with no internal
// error (500), a close must carry a protocol close code (never 1011), the
// server keeps answering, and unauthenticated garbage changes nothing.
// GATEHOUSE_FUZZ_RUNS=N for a long run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import WebSocket from 'ws';
import { startGatehouse, type Running } from '../helpers/server.js';
import { endpoints } from '../../src/faces/moonraker/endpoints/index.js';
import { createUser, fuzzRuns } from './helpers.js';

let s: Running;
const counts: Record<string, number> = {};
const METHODS = [...endpoints.map((e) => e.rpc), 'server.connection.identify', 'server.websocket.id'];
const ALLOWED_CLOSE = new Set([1000, 1001, 1003, 1005, 1006, 1007, 1008, 1009]);

/** A socket that checks every frame it receives and can wait for one id. */
class Probe {
  readonly violations: string[] = [];
  private waiting = new Map<string, () => void>();
  closeCode: number | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.check(String(data)));
    ws.on('close', (code) => {
      this.closeCode = code;
      if (!ALLOWED_CLOSE.has(code)) this.violations.push(`closed with ${code}`);
      for (const done of this.waiting.values()) done();
    });
    ws.on('error', () => {});
  }

  static open(port: number): Promise<Probe> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/websocket`, { perMessageDeflate: false });
    return new Promise((ok, fail) => {
      ws.once('open', () => ok(new Probe(ws)));
      ws.once('error', fail);
    });
  }

  private check(text: string) {
    let m: any;
    try {
      m = JSON.parse(text);
    } catch {
      this.violations.push(`not JSON: ${text.slice(0, 200)}`);
      return;
    }
    for (const one of Array.isArray(m) ? m : [m]) {
      if (one?.jsonrpc !== '2.0') this.violations.push(`not JSON-RPC 2.0: ${text.slice(0, 200)}`);
      else if ('method' in one) continue; // a notification from the server
      else if ('error' in one) {
        if (!Number.isInteger(one.error?.code) || typeof one.error?.message !== 'string') this.violations.push(`bad error: ${text.slice(0, 200)}`);
        if (one.error.code >= 500 && one.error.code < 600) this.violations.push(`internal error: ${text.slice(0, 300)}`);
        if (/\/work\/|node_modules|\.ts:\d|SQLITE/.test(one.error.message)) this.violations.push(`internals in: ${text.slice(0, 300)}`);
      } else if (!('result' in one)) this.violations.push(`neither result nor error: ${text.slice(0, 200)}`);
      if (typeof one?.id === 'string' && this.waiting.has(one.id)) this.waiting.get(one.id)!();
    }
  }

  /** Sends `frame`, then a cheap call, and waits for the cheap call's answer (or the close). */
  async roundTrip(frame: string | Buffer, binary: boolean, seq: number): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const id = `sentinel-${seq}`;
    const answered = new Promise<void>((done) => this.waiting.set(id, done));
    this.ws.send(frame, { binary });
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'access.info', id }));
    const timer = new Promise<void>((done) => setTimeout(done, 5000).unref());
    await Promise.race([answered, timer]);
    this.waiting.delete(id);
  }
}

const anyString = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', 'moonraker', 'ldap', '_API_KEY_USER_', 'fuzzer', 'a'.repeat(300)));
const params = fc.oneof(
  fc.dictionary(fc.constantFrom('username', 'password', 'new_password', 'source', 'refresh_token', 'access_token', 'api_key', 'client_name', 'version', 'type', 'url', '__proto__'), fc.oneof(anyString, fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })), { maxKeys: 6 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const id = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), fc.double(), fc.jsonValue({ maxDepth: 1 }));
const call = fc.record({
  jsonrpc: fc.oneof({ weight: 9, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
  method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: anyString }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
  params,
  id,
}, { requiredKeys: ['jsonrpc', 'method'] });
const frame = fc.oneof(
  { weight: 6, arbitrary: call.map((c) => JSON.stringify(c)) },
  { weight: 2, arbitrary: fc.array(call, { maxLength: 5 }).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('{', '[', '[]', '[[]]', 'null', '{"jsonrpc":"2.0","method":"access.login","params":{"username":"x","password":"y"},"id":' + '['.repeat(3000) + ']'.repeat(3000) + '}', '"' + 'x'.repeat(70_000) + '"') },
);

async function snapshot() {
  const st = s.gh.store;
  return JSON.stringify({
    users: (await st.users.list()).map((u) => [u.id, u.username, u.passwordHash]),
    sessions: (await st.sessions.listLive(0)).map((x) => [x.id, x.revokedAt]),
    apiKey: await st.settings.get('moonraker_api_key'),
  });
}

before(async () => {
  s = await startGatehouse({ limits: { ws_messages_per_second: 1_000_000, ws_burst: 1_000_000, ws_max_message_bytes: 65536, login_attempts_per_user: 0, login_attempts_per_ip: 0 } } as any);
  await createUser(s, 'fuzzer', 'fuzzer-password');
});

after(async () => {
  await s.stop();
  console.log(`# websocket fuzz cases: ${JSON.stringify(counts)}`);
});

async function fuzz(name: string, setup: (p: Probe) => Promise<void>, runs: number) {
  let probe = await Probe.open(s.port);
  await setup(probe);
  const violations: string[] = [];
  let seq = 0;
  await fc.assert(
    fc.asyncProperty(frame, fc.boolean(), async (f, binary) => {
      counts[name] = (counts[name] ?? 0) + 1;
      if (probe.closeCode !== undefined) {
        violations.push(...probe.violations);
        counts[`${name}Reconnects`] = (counts[`${name}Reconnects`] ?? 0) + 1;
        probe = await Probe.open(s.port);
        await setup(probe);
      }
      await probe.roundTrip(f, binary, seq++);
      assert.deepEqual(probe.violations, [], `after ${JSON.stringify(f).slice(0, 300)}`);
    }),
    { numRuns: runs },
  );
  violations.push(...probe.violations);
  probe.ws.close();
  assert.deepEqual(violations, []);
}

test('unauthenticated socket: random JSON-RPC gets well-formed answers, no internal errors, store unchanged', async () => {
  const before = await snapshot();
  await fuzz('unauthenticated', async () => {}, fuzzRuns(150));
  assert.equal(await snapshot(), before);
  assert.equal((await s.req('GET', '/access/info')).status, 200);
});

test('socket identified with the API key: random access.* calls get well-formed answers, no internal errors', async () => {
  await fuzz('authenticated', async (p) => {
    await p.roundTrip(JSON.stringify({ jsonrpc: '2.0', method: 'server.connection.identify', params: { client_name: 'fuzz', version: '1', type: 'other', url: 'x', api_key: s.apiKey() }, id: 'identify' }), false, -1);
  }, fuzzRuns(100));
  assert.equal((await s.req('GET', '/access/info')).status, 200);
});
