// Bad input at every /access endpoint: a JSON 4xx in Moonraker's envelope that
// says what was wrong, never a 5xx.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { apiKey, assertError, bearer, createUser, resultOf, type Reply } from './helpers.js';

let s: Running;
let token: string;
const seen: Reply[] = [];
before(async () => {
  s = await startGatehouse({ limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } });
  token = (await createUser(s, 'ann', 'ann-pass')).token;
});
after(() => s.stop());

const JSON_TYPE = { 'content-type': 'application/json' };
async function send(method: string, path: string, o: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const r = await s.req(method, path, o);
  seen.push(r);
  return r;
}
const raw = (method: string, path: string, text: string, headers: Record<string, string> = {}) =>
  send(method, path, { raw: text, headers: { ...JSON_TYPE, ...headers } });
const createRaw = (text: string) => raw('POST', '/access/user', text, apiKey(s));

describe('bodies', () => {
  test('differs from Moonraker: malformed JSON is 400 "Malformed JSON in request body" (Moonraker silently ignores a body it cannot parse)', async () => {
    for (const text of ['{"username":', '{username: "a"}', "{'a':1}", '{"a":1,}', 'nope']) {
      assertError(await raw('POST', '/access/login', text), 400, 'Malformed JSON in request body');
    }
  });

  test('differs from Moonraker: a JSON body that is not valid UTF-8 is 400 "Request body is not valid UTF-8", never a name with U+FFFD in it (Moonraker ignores the body)', async () => {
    const bytes = Buffer.concat([Buffer.from('{"username":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b","password":"pw"}')]);
    const r = await fetch(s.base + '/access/user', { method: 'POST', headers: { ...JSON_TYPE, ...apiKey(s) }, body: bytes });
    assert.equal(r.status, 400);
    assert.deepEqual(await r.json(), { error: { code: 400, message: 'Request body is not valid UTF-8' } });
    const list = await send('GET', '/access/users/list', { headers: apiKey(s) });
    assert.ok(!JSON.stringify(list.json).includes('\ufffd'));
  });

  test('differs from Moonraker: a JSON body that is not an object (array, string, number, true, null) is 400 "Request body must be a JSON object" (Moonraker: 500, or a list of pairs taken as arguments)', async () => {
    for (const text of ['[]', '["ann","ann-pass"]', '"ann"', '42', 'true', 'null']) {
      assertError(await raw('POST', '/access/login', text), 400, 'Request body must be a JSON object');
    }
  });

  test('an empty JSON body is no arguments: 400 "No data for argument: username"', async () => {
    assertError(await raw('POST', '/access/login', ''), 400, 'No data for argument: username');
  });

  test('a text/plain body is ignored, as Moonraker ignores it (only JSON and form bodies carry arguments)', async () => {
    assertError(await raw('POST', '/access/login', '{"username":"ann","password":"ann-pass"}', { 'content-type': 'text/plain' }), 400, 'No data for argument: username');
    assertError(await raw('POST', '/access/login', 'username=ann&password=ann-pass', { 'content-type': 'text/plain' }), 400, 'No data for argument: username');
  });

  test('differs from Moonraker: the JSON media type is matched case-insensitively, with parameters (Moonraker compares it case-sensitively)', async () => {
    const r = await raw('POST', '/access/login', '{"username":"ann","password":"ann-pass"}', { 'content-type': 'Application/JSON; charset=UTF-8' });
    assert.equal(resultOf(r).username, 'ann');
  });

  test('a "__proto__" key is just an unknown argument: nothing is inherited from it', async () => {
    assertError(await raw('POST', '/access/login', '{"__proto__":{"username":"ann","password":"ann-pass"}}'), 400, 'No data for argument: username');
    assertError(await raw('POST', '/access/login', '{"constructor":{"prototype":{"username":"ann"}},"password":"x"}'), 400, 'No data for argument: username');
  });

  test('a body over maxBodyBytes: 413 with a JSON error', async () => {
    const big = JSON.stringify({ username: 'ann', password: 'x'.repeat(70_000) });
    assertError(await raw('POST', '/access/login', big), 413, 'Request body exceeds 65536 bytes');
  });

  test('deeply nested JSON (30 000 levels) is a clean 400', async () => {
    assertError(await raw('POST', '/access/login', '['.repeat(30_000) + ']'.repeat(30_000)), 400, 'Request body must be a JSON object');
    assertError(await raw('POST', '/access/login', `{"username":${'['.repeat(30_000)}${']'.repeat(30_000)}}`), 400, 'Invalid argument [username]: expected a string');
  });

  test('duplicate keys in the body: the last one counts (JSON.parse)', async () => {
    assert.equal(resultOf(await raw('POST', '/access/login', '{"username":"ann","password":"bad","password":"ann-pass"}')).username, 'ann');
  });
});

// Moonraker's arguments are Tornado's: the query and a form-encoded (or multipart)
// body in one list per key, the last value counting, stripped, `name:hint` keys
// converted; a JSON body over them. docs/notes/moonraker-args-and-secrets.md §1-2.
describe('form bodies and typed query arguments (issue 16, point 4)', () => {
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const form = (path: string, text: string, headers: Record<string, string> = {}) => raw('POST', path, text, { ...FORM, ...headers });
  async function multipart(path: string, fields: Record<string, string>): Promise<Reply> {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    const r = await fetch(s.base + path, { method: 'POST', body });
    const text = await r.text();
    let json: any;
    try { json = JSON.parse(text); } catch { json = undefined; }
    const reply = { status: r.status, headers: r.headers, text, json };
    seen.push(reply);
    return reply;
  }

  test('a form-encoded body carries the arguments ("+" a space, %XX decoded, a charset parameter allowed)', async () => {
    assert.equal(resultOf(await form('/access/login', 'username=ann&password=ann-pass')).username, 'ann');
    assert.equal(resultOf(await form('/access/login', 'username=ann&password=ann-pass', { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' })).username, 'ann');
    // differs from Moonraker (case-sensitive there), as for JSON: the media type's case does not matter
    assert.equal(resultOf(await form('/access/login', 'username=ann&password=ann-pass', { 'content-type': 'Application/X-WWW-Form-URLEncoded' })).username, 'ann');
    assert.equal(resultOf(await form('/access/user', 'username=form+user%21&password=a%2Bb+c', apiKey(s))).username, 'form user!');
    assert.equal(resultOf(await send('POST', '/access/login', { body: { username: 'form user!', password: 'a+b c' } })).username, 'form user!');
  });

  test('form and query merge: for a key in both the body\'s value counts, the last of repeated keys counts', async () => {
    assert.equal(resultOf(await form('/access/login?password=wrong', 'username=ann&password=ann-pass')).username, 'ann');
    assertError(await form('/access/login?password=ann-pass', 'username=ann&password=wrong'), 400, 'Invalid Password');
    assert.equal(resultOf(await form('/access/login?username=ann', 'password=ann-pass')).username, 'ann');
    assert.equal(resultOf(await form('/access/login', 'username=ann&password=wrong&password=ann-pass')).username, 'ann');
  });

  test('multipart/form-data fields carry arguments too', async () => {
    assert.equal(resultOf(await multipart('/access/login', { username: 'ann', password: 'ann-pass' })).username, 'ann');
  });

  test('query and form values lose surrounding whitespace, as Tornado\'s get_argument strips them', async () => {
    assert.equal(resultOf(await send('POST', '/access/login?username=%20ann%09&password=ann-pass')).username, 'ann');
    assert.equal(resultOf(await form('/access/login', 'username=+ann+&password=ann-pass%20')).username, 'ann');
  });

  test('differs from Moonraker: a form value that is not percent-encoded UTF-8 is 400 naming the argument (Moonraker answers 500)', async () => {
    assertError(await form('/access/login', 'username=ann&password=%FF'), 400, 'Invalid argument [password]: is not valid percent-encoded UTF-8');
  });

  test('name:int, name:float, name:bool and name:json convert the value, which a string argument then takes as Python prints it', async () => {
    const login = (q: string) => send('POST', `/access/login?${q}&password=x`);
    assertError(await login('username:int=12'), 400, 'Unregistered User: 12');
    assertError(await login('username:int=007'), 400, 'Unregistered User: 7');
    assertError(await login('username:float=12'), 400, 'Unregistered User: 12.0');
    assertError(await login('username:bool=TRUE'), 400, 'Unregistered User: True');
    assertError(await login('username:bool=yes'), 400, 'Unregistered User: False');
    assertError(await login('username:json=null'), 400, 'Unregistered User: None');
    assert.equal(resultOf(await send('POST', '/access/login?username:json=%22ann%22&password=ann-pass')).username, 'ann');
  });

  test('an unknown hint, or a value that does not convert, keeps its text under the name without the hint (no error); in a form body too', async () => {
    assert.equal(resultOf(await send('POST', '/access/login?username:str=ann&password=ann-pass')).username, 'ann');
    assert.equal(resultOf(await send('POST', '/access/login?username:int=ann&password=ann-pass')).username, 'ann');
    assert.equal(resultOf(await send('POST', '/access/login?username=bob&username:str=ann&password=ann-pass')).username, 'ann');
    assert.equal(resultOf(await form('/access/login', 'username:int=ann&password:json=%22ann-pass%22')).username, 'ann');
  });

  test('a oneshot token in a form body authenticates, as Moonraker reads request.arguments["token"] (query or form)', async () => {
    const oneshot = resultOf(await send('GET', '/access/oneshot_token', { headers: bearer(token) })) as string;
    assertError(await form('/access/user', 'username=by-oneshot&password=pw'), 401, 'Unauthorized');
    assert.equal(resultOf(await form('/access/user', `username=by-oneshot&password=pw&token=${oneshot}`)).username, 'by-oneshot');
  });

  test('name:float prints as Python prints a float; name:int takes signs, leading zeros and underscores; name:json lists and objects as Python\'s repr', async () => {
    const login = (q: string) => send('POST', `/access/login?${q}&password=x`);
    const cases: [string, string][] = [
      ['username:float=1e3', '1000.0'], ['username:float=1e16', '1e+16'], ['username:float=0.0001', '0.0001'], ['username:float=0.00001', '1e-05'],
      ['username:float=-inf', '-inf'], ['username:float=1_0.5', '10.5'], ['username:int=%2B5_000', '5000'], ['username:int=-007', '-7'],
      ['username:int=5.0', '5.0'], ['username:json=%5B1%2C%22a%22%5D', "[1, 'a']"], ['username:json=%7B%22a%22%3Atrue%7D', "{'a': True}"],
    ];
    for (const [q, name] of cases) assertError(await login(q), 400, `Unregistered User: ${name}`);
  });

  test('a form body with a Content-Encoding, or a malformed multipart body, is 400 "Bad Request" (Tornado refuses both before the handler)', async () => {
    assertError(await form('/access/login', 'username=ann&password=ann-pass', { 'content-encoding': 'gzip' }), 400, 'Bad Request');
    assertError(await raw('POST', '/access/login', 'not multipart at all', { 'content-type': 'multipart/form-data; boundary=xyz' }), 400, 'Bad Request');
  });
});


describe('argument types', () => {
  const wrong: [string, string][] = [['an object', '{}'], ['an array', '["ann"]'], ['a boolean', 'true'], ['null', 'null']];

  for (const [what, json] of wrong) {
    test(`differs from Moonraker: username as ${what} is 400 "Invalid argument [username]: expected a string" (login, create, delete; Moonraker takes its Python text)`, async () => {
      const msg = 'Invalid argument [username]: expected a string';
      assertError(await raw('POST', '/access/login', `{"username":${json},"password":"x"}`), 400, msg);
      assertError(await createRaw(`{"username":${json},"password":"x"}`), 400, msg);
      assertError(await raw('DELETE', '/access/user', `{"username":${json}}`, apiKey(s)), 400, msg);
    });
  }

  test('every string argument names itself when it has the wrong type', async () => {
    const cases: [string, string, string, Record<string, string>][] = [
      ['POST', '/access/login', '{"username":"ann","password":{}}', {}],
      ['POST', '/access/login', '{"username":"ann","password":"x","source":[]}', {}],
      ['POST', '/access/user', '{"username":"u","password":false}', apiKey(s)],
      ['POST', '/access/refresh_jwt', '{"refresh_token":{"a":1}}', {}],
      ['POST', '/access/user/password', '{"password":null,"new_password":"x"}', bearer(token)],
      ['POST', '/access/user/password', '{"password":"ann-pass","new_password":[1]}', bearer(token)],
    ];
    const keys = ['password', 'source', 'password', 'refresh_token', 'password', 'new_password'];
    for (const [i, [m, p, body, h]] of cases.entries()) {
      assertError(await raw(m, p, body, h), 400, `Invalid argument [${keys[i]}]: expected a string`);
    }
  });

  test('numbers are taken as their text, as Moonraker\'s get_str does', async () => {
    assertError(await send('POST', '/access/login', { body: { username: 12, password: 3.5 } }), 400, 'Unregistered User: 12');
  });

  test('a number JSON cannot hold (1e400 → Infinity) is not a string: 400', async () => {
    assertError(await raw('POST', '/access/login', '{"username":1e400,"password":"x"}'), 400, 'Invalid argument [username]: expected a string');
  });
});

describe('lengths', () => {
  test('differs from Moonraker: a 64-character username can be created; 65 is 400 naming the limit (Moonraker has none)', async () => {
    resultOf(await send('POST', '/access/user', { body: { username: 'u'.repeat(64), password: 'pw' }, headers: apiKey(s) }));
    assertError(await send('POST', '/access/user', { body: { username: 'u'.repeat(65), password: 'pw' }, headers: apiKey(s) }), 400, 'Invalid argument [username]: must be at most 64 characters');
  });

  test('the limit counts characters, not UTF-16 units (64 emoji are fine)', async () => {
    resultOf(await send('POST', '/access/user', { body: { username: '🦊'.repeat(32), password: 'pw' }, headers: apiKey(s) }));
  });

  test('differs from Moonraker: string arguments have size caps: a 10 000-character username is 400 at login, create and delete (Moonraker has none)', async () => {
    const long = 'x'.repeat(10_000);
    assertError(await send('POST', '/access/login', { body: { username: long, password: 'x' } }), 400, 'Invalid argument [username]: must be at most 256 characters');
    assertError(await send('POST', '/access/user', { body: { username: long, password: 'x' }, headers: apiKey(s) }), 400, 'Invalid argument [username]: must be at most 256 characters');
    assertError(await send('DELETE', '/access/user', { body: { username: long }, headers: apiKey(s) }), 400, 'Invalid argument [username]: must be at most 256 characters');
  });

  test('differs from Moonraker: a password over 1024 bytes is 400 naming the field on create, "Invalid Password" at login, no hashing either way (Moonraker takes any length)', async () => {
    assertError(await send('POST', '/access/user', { body: { username: 'longpw', password: 'p'.repeat(1025) }, headers: apiKey(s) }), 400, 'Invalid argument [password]: must be at most 1024 bytes');
    assertError(await send('POST', '/access/login', { body: { username: 'ann', password: 'p'.repeat(2000) } }), 400, 'Invalid Password');
    assertError(await send('POST', '/access/login', { body: { username: 'ann', password: 'p'.repeat(5000) } }), 400, 'Invalid argument [password]: must be at most 4096 characters');
  });

  test('a 9 KB refresh token: 400 naming the field', async () => {
    assertError(await send('POST', '/access/refresh_jwt', { body: { refresh_token: 'a'.repeat(9000) } }), 400, 'Invalid argument [refresh_token]: must be at most 8192 characters');
  });
});

describe('unicode oddities in usernames', () => {
  // Raw JSON text, so lone surrogates travel as \\u escapes exactly as a client could send them.
  const odd: [string, string, string][] = [
    ['NUL', 'a\\u0000b', 'contains control or invisible characters'],
    ['a control character (BEL)', 'a\\u0007b', 'contains control or invisible characters'],
    ['a newline', 'a\\nb', 'contains control or invisible characters'],
    ['DEL', 'a\\u007fb', 'contains control or invisible characters'],
    ['a lone high surrogate', 'a\\ud800b', 'contains an unpaired surrogate'],
    ['a lone low surrogate', 'a\\udc00b', 'contains an unpaired surrogate'],
    ['a right-to-left override', 'admin\\u202egnp.exe', 'contains control or invisible characters'],
    ['a zero-width space', 'ad\\u200bmin', 'contains control or invisible characters'],
    ['a line separator', 'a\\u2028b', 'contains control or invisible characters'],
    ['a non-NFC form (e + combining acute)', 'jose\\u0301', 'must be in Unicode normal form C'],
    ['leading whitespace', ' ann', 'must not start or end with whitespace'],
    ['trailing whitespace', 'ann\\u00a0', 'must not start or end with whitespace'],
  ];

  for (const [what, text, why] of odd) {
    test(`${what}: 400 on create; login with it is a 4xx`, async () => {
      assertError(await createRaw(`{"username":"${text}","password":"pw"}`), 400, `Invalid argument [username]: ${why}`);
      const r = await raw('POST', '/access/login', `{"username":"${text}","password":"pw"}`);
      assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
      assert.ok(r.json?.error, r.text);
    });
  }

  // Tornado turns the control characters of a query value into spaces before
  // Moonraker sees them (docs/notes/moonraker-args-and-secrets.md §1), so `a%00b`
  // may become the ordinary name "a b"; what must never happen is a 5xx or a
  // stored name with a control character or a lone surrogate in it.
  test('the same oddities in the query string: never a 5xx, and never a stored name with one in it', async () => {
    for (const q of ['%00', '%07', '%ED%A0%80', '%E2%80%AE', '%E0%A4', '%', '%zz', '%C0%AF']) {
      const a = await send('POST', `/access/login?username=a${q}b&password=pw`);
      assert.ok(a.status < 500 && (a.json?.error || a.json?.result), `${q}: ${a.status} ${a.text}`);
      const c = await send('POST', `/access/user?username=a${q}b&password=pw`, { headers: apiKey(s) });
      assert.ok(c.status < 500 && (c.json?.error || c.json?.result), `${q}: ${c.status} ${c.text}`);
    }
    const names: string[] = resultOf(await send('GET', '/access/users/list', { headers: apiKey(s) })).users.map((u: any) => u.username);
    for (const n of names) assert.ok(!/[\u0000-\u001f\u007f\u202e]|[\ud800-\udfff]/u.test(n.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), JSON.stringify(n));
  });

  test('differs from Moonraker: a query value that is not percent-encoded UTF-8 is 400 naming the argument, never kept as its raw %XX text (Moonraker answers 500)', async () => {
    assertError(await send('POST', '/access/user?username=a%ED%A0%80b&password=pw', { headers: apiKey(s) }), 400, 'Invalid argument [username]: is not valid percent-encoded UTF-8');
    assertError(await send('POST', '/access/login?username=ann&password=%FF'), 400, 'Invalid argument [password]: is not valid percent-encoded UTF-8');
    const names = resultOf(await send('GET', '/access/users/list', { headers: apiKey(s) })).users.map((u: any) => u.username);
    assert.ok(!names.some((n: string) => n.includes('%')), names.join(' '));
  });

  test('query values are decoded as forms are: "+" is a space, %2B a plus', async () => {
    resultOf(await send('POST', '/access/user?username=plus%2Bsign&password=a+b%2Bc', { headers: apiKey(s) }));
    assert.equal(resultOf(await send('POST', '/access/login', { body: { username: 'plus+sign', password: 'a b+c' } })).username, 'plus+sign');
  });

  test('well-formed names in other scripts are fine (NFC "josé", 用户, Ελένη)', async () => {
    for (const name of ['jos\u00e9', '用户', 'Ελένη']) {
      assert.equal(resultOf(await send('POST', '/access/user', { body: { username: name, password: 'pw' }, headers: apiKey(s) })).username, name);
      assert.equal(resultOf(await send('POST', '/access/login', { body: { username: name, password: 'pw' } })).username, name);
    }
  });
});

describe('routes and methods', () => {
  test('differs from Moonraker: an unknown path is 404 {"error":{"code":404,"message":"Not Found"}} to anyone (Moonraker authenticates first, so a stranger gets 401 there)', async () => {
    for (const p of ['/access/nope', '/nope', '/access', '/access/login/', '/access/user/list', '/ACCESS/LOGIN']) {
      assertError(await send('GET', p), 404, 'Not Found');
      assertError(await send('POST', p, { body: {} }), 404, 'Not Found');
    }
  });

  const endpoints: [string, string[]][] = [
    ['/access/login', ['POST']],
    ['/access/logout', ['POST']],
    ['/access/user', ['GET', 'POST', 'DELETE']],
    ['/access/users/list', ['GET']],
    ['/access/user/password', ['POST']],
    ['/access/refresh_jwt', ['POST']],
    ['/access/oneshot_token', ['GET']],
    ['/access/info', ['GET']],
    ['/access/api_key', ['GET', 'POST']],
  ];
  for (const [path, methods] of endpoints) {
    test(`${path}: other methods are 405 "Method Not Allowed" with an Allow header (${methods.join(', ')})`, async () => {
      for (const m of ['GET', 'POST', 'DELETE', 'PUT', 'PATCH'].filter((x) => !methods.includes(x))) {
        const r = await send(m, path, { headers: apiKey(s) });
        assertError(r, 405, 'Method Not Allowed');
        for (const ok of methods) assert.match(r.headers.get('allow') ?? '', new RegExp(`\\b${ok}\\b`));
      }
    });
  }

  test('differs from Moonraker: a 405 comes before authentication (Moonraker runs authentication first, so a stranger gets 401 there)', async () => {
    assertError(await send('PUT', '/access/user'), 405, 'Method Not Allowed');
  });

  test('authentication comes before argument checks: bad arguments without credentials are 401', async () => {
    assertError(await raw('POST', '/access/user', '{"username":{}}'), 401, 'Unauthorized');
  });
});

test('no response in this file was a 5xx', () => {
  assert.ok(seen.length > 100, String(seen.length));
  const bad = seen.filter((r) => r.status >= 500);
  assert.deepEqual(bad.map((r) => `${r.status} ${r.text}`), []);
});
