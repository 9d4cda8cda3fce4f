// Issue 17, finding 9 (low): `GET /public/gatehouse/__proto__` (and the other
// Object.prototype names) answers 500: the web UI's static assets are looked
// up in a plain object, so `__proto__`, `constructor`, `toString` … find
// inherited members instead of nothing. Expected: a 404 with the Grafana
// face's JSON body `{"message":"Not found"}` for every name that is not an
// asset; never a 500. The real assets keep being served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from '../../helpers/server.js';
import { send } from './helpers.js';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'toLocaleString'];

test('static assets named after Object.prototype members are a 404 JSON, never a 500', async () => {
  const s = await startGatehouse();
  try {
    for (const name of PROTOTYPE_NAMES) {
      const r = await send(s.port, { method: 'GET', path: `/public/gatehouse/${name}` });
      assert.equal(r.status, 404, `GET /public/gatehouse/${name}: ${r.status} ${r.text}`);
      assert.match(String(r.headers['content-type']), /^application\/json/, name);
      assert.deepEqual(r.json, { message: 'Not found' }, name);
    }
    // must hold: the real assets are still served
    for (const [file, type] of [['login.js', /javascript/], ['apikeys.js', /javascript/], ['style.css', /text\/css/]] as const) {
      const r = await send(s.port, { method: 'GET', path: `/public/gatehouse/${file}` });
      assert.equal(r.status, 200, file);
      assert.match(String(r.headers['content-type']), type, file);
    }
  } finally {
    await s.stop();
  }
});
