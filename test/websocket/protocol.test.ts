// JSON-RPC 2.0 framing as Moonraker's JsonRPC.dispatch does it: parse errors,
// invalid requests, unknown methods, notifications, batches, ids.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { RpcClient, sleep } from './client.js';

const err = (code: number, message: string, id: unknown = null) => ({ jsonrpc: '2.0', error: { code, message }, id });

describe('JSON-RPC framing', () => {
  let s: Running;
  let c: RpcClient;
  before(async () => {
    s = await startGatehouse();
    c = await RpcClient.open(s.port);
    await c.identify({ api_key: s.apiKey() });
  });
  after(async () => {
    await c.close();
    await s.stop();
  });

  /** Sends raw text and returns the next message that was not there before. */
  async function exchange(raw: string | Buffer): Promise<any> {
    const before = c.messages.length;
    c.send(raw);
    return c.next((m) => c.messages.indexOf(m) >= before);
  }

  /** Sends raw text and checks that nothing comes back (a later marker call is answered first). */
  async function silent(raw: string) {
    const before = c.messages.length;
    c.send(raw);
    await c.call('access.info'); // answered after the message above was handled
    await sleep(20);
    const extra = c.messages.slice(before).filter((m) => !(m && m.result && m.result.default_source));
    assert.deepEqual(extra, [], `expected no answer to ${raw}`);
  }

  test('a result envelope: jsonrpc, result, id (the id echoed whatever its type)', async () => {
    assert.deepEqual(await exchange('{"jsonrpc":"2.0","method":"server.websocket.id","id":"abc"}'), { jsonrpc: '2.0', result: { websocket_id: (await c.result('server.websocket.id')).websocket_id }, id: 'abc' });
    const a = await exchange('{"jsonrpc":"2.0","method":"access.get_api_key","id":7.5}');
    assert.deepEqual(a, { jsonrpc: '2.0', result: s.apiKey(), id: 7.5 });
  });

  test('text that is not JSON: -32700 "Parse error", id null', async () => {
    assert.deepEqual(await exchange('{"jsonrpc": "2.0", "method": "access.info", "id": 1'), err(-32700, 'Parse error'));
    assert.deepEqual(await exchange('not json'), err(-32700, 'Parse error'));
    assert.deepEqual(await exchange(''), err(-32700, 'Parse error'));
  });

  test('jsonrpc missing or not "2.0": -32600 "Invalid Request" with the id', async () => {
    assert.deepEqual(await exchange('{"method":"access.info","id":11}'), err(-32600, 'Invalid Request', 11));
    assert.deepEqual(await exchange('{"jsonrpc":"1.0","method":"access.info","id":12}'), err(-32600, 'Invalid Request', 12));
    assert.deepEqual(await exchange('{"jsonrpc":2.0,"method":"access.info","id":13}'), err(-32600, 'Invalid Request', 13));
  });

  test('method not a string: -32600 "Invalid Request" with the id', async () => {
    assert.deepEqual(await exchange('{"jsonrpc":"2.0","method":5,"id":14}'), err(-32600, 'Invalid Request', 14));
    assert.deepEqual(await exchange('{"jsonrpc":"2.0","method":null,"id":15}'), err(-32600, 'Invalid Request', 15));
  });

  // Moonraker's dispatcher calls obj.get() on it, fails, logs "Websocket Command
  // Error" and answers nothing (a batch's other answers are lost with it).
  test('differs from Moonraker: JSON that is not an object (a message or a batch entry) gets -32600 "Invalid Request" with id null (Moonraker answers nothing)', async () => {
    assert.deepEqual(await exchange('5'), err(-32600, 'Invalid Request'));
    assert.deepEqual(await exchange('"access.info"'), err(-32600, 'Invalid Request'));
    assert.deepEqual(await exchange('null'), err(-32600, 'Invalid Request'));
    assert.deepEqual(await exchange('[1,{"jsonrpc":"2.0","method":"access.info","id":16}]').then((a: any[]) => [a[0], a[1].id]), [err(-32600, 'Invalid Request'), 16]);
  });

  test('unknown method: -32601 "Method not found" (Moonraker methods gatehouse does not serve included)', async () => {
    assert.deepEqual(await exchange('{"jsonrpc":"2.0","method":"access.nope","id":16}'), err(-32601, 'Method not found', 16));
    assert.deepEqual(await exchange('{"jsonrpc":"2.0","method":"printer.info","id":17}'), err(-32601, 'Method not found', 17));
  });

  test('params not an object: -32602 "Invalid params:"', async () => {
    assert.deepEqual(await exchange('{"jsonrpc":"2.0","method":"access.info","params":[1,2],"id":18}'), err(-32602, 'Invalid params:', 18));
  });

  test('a notification (no id, or id null) that succeeds gets no answer', async () => {
    await silent('{"jsonrpc":"2.0","method":"access.info"}');
    await silent('{"jsonrpc":"2.0","method":"access.info","id":null}');
  });

  test('a notification that fails still gets its error, with id null (as Moonraker)', async () => {
    assert.deepEqual(await exchange('{"jsonrpc":"2.0","method":"access.nope"}'), err(-32601, 'Method not found'));
    assert.deepEqual(await exchange('{"jsonrpc":"2.0","method":"access.login","params":{}}'), err(400, 'No data for argument: username'));
  });

  test('an object without method is a response to a server call: dropped silently', async () => {
    await silent('{"jsonrpc":"2.0","result":"x","id":99}');
  });

  test('a binary frame holding JSON is handled as text', async () => {
    assert.deepEqual(await exchange(Buffer.from('{"jsonrpc":"2.0","method":"access.get_api_key","id":19}')), { jsonrpc: '2.0', result: s.apiKey(), id: 19 });
  });

  test('batch: entries run in order, answers in an array, notifications left out, errors kept', async () => {
    const a = await exchange(JSON.stringify([
      { jsonrpc: '2.0', method: 'access.get_api_key', id: 'a' },
      { jsonrpc: '2.0', method: 'access.info' },
      { jsonrpc: '2.0', method: 'access.nope', id: 'b' },
      { method: 'access.info', id: 'c' },
      7,
      { jsonrpc: '2.0', method: 'access.info', params: [], id: 'd' },
      { jsonrpc: '2.0', method: 'server.websocket.id', id: 'e' },
    ]));
    assert.ok(Array.isArray(a));
    assert.deepEqual(a.map((x: any) => x.id), ['a', 'b', 'c', null, 'd', 'e']);
    assert.equal(a[0].result, s.apiKey());
    assert.deepEqual(a[1], err(-32601, 'Method not found', 'b'));
    assert.deepEqual(a[2], err(-32600, 'Invalid Request', 'c'));
    assert.deepEqual(a[3], err(-32600, 'Invalid Request'));
    assert.deepEqual(a[4], err(-32602, 'Invalid params:', 'd'));
    assert.ok(a[5].result.websocket_id);
  });

  test('batch entries run one after another (a login earlier in the batch authenticates the later entries)', async () => {
    const d = await RpcClient.open(s.port);
    try {
      await c.result('access.post_user', { username: 'gina', password: 'pw-gina' });
      const before = d.messages.length;
      d.send([
        { jsonrpc: '2.0', method: 'access.get_user', id: 1 },
        { jsonrpc: '2.0', method: 'access.login', params: { username: 'gina', password: 'pw-gina' }, id: 2 },
        { jsonrpc: '2.0', method: 'access.get_user', id: 3 },
      ]);
      const a = await d.next((m) => d.messages.indexOf(m) >= before);
      assert.deepEqual(a[0].error, { code: -32602, message: 'Unauthorized' });
      assert.equal(a[1].result.action, 'user_logged_in');
      assert.equal(a[2].result.username, 'gina');
    } finally { await d.close(); }
  });

  test('a batch of notifications only, and an empty batch, get no answer (as Moonraker)', async () => {
    await silent('[{"jsonrpc":"2.0","method":"access.info"},{"jsonrpc":"2.0","method":"access.get_user"}]');
    await silent('[]');
  });

  test('after all that, the connection still works', async () => {
    assert.equal(await c.result('access.get_api_key'), s.apiKey());
  });
});
