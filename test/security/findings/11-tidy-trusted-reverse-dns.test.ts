// Issue 17, tidy: trusted domains accepted on reverse DNS alone. A
// `trusted_clients` entry that is a domain name is matched against the
// client's reverse lookup (PTR) only; whoever controls the reverse zone of
// their own address can name it `printer.example` and be trusted. Expected:
// the name is accepted only when a forward lookup of it gives back the
// client's address (forward-confirmed reverse DNS); otherwise the address
// gets no trusted authentication (401 "Unauthorized").
//
// Not fully black-box: a real server answers real HTTP requests from
// 127.0.0.31/32, but the resolver is injected (node:dns's promise and
// callback functions replaced with node:test's mock for the duration of the
// test), since a test cannot own a reverse zone. A fix that resolves names
// another way (a Resolver instance, say) needs the same injection there.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { startGatehouse } from '../../helpers/server.js';
import { send } from './helpers.js';

// ---- option overrides ([authorization] trusted_clients = forged.example, printer.example) ----
const FORGED = '127.0.0.31'; // PTR says forged.example; forged.example's A record is 10.9.9.9
const GENUINE = '127.0.0.32'; // PTR says printer.example; printer.example's A record is 127.0.0.32
const OVERRIDES = { authorization: { trusted_clients: ['forged.example', 'printer.example'] } };

const PTR: Record<string, string> = { [FORGED]: 'forged.example', [GENUINE]: 'printer.example' };
const A: Record<string, string[]> = { 'forged.example': ['10.9.9.9'], 'printer.example': [GENUINE] };

type Cb = (...a: any[]) => void;
const notFound = (name: string) => Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND', hostname: name });

/**
 * Replaces node:dns's lookups (promise and callback APIs) for the names and
 * addresses above; anything else goes to the real functions.
 */
function injectResolver() {
  const p = dns.promises;
  const real = {
    pLookupService: p.lookupService.bind(p), pLookup: p.lookup.bind(p), pResolve4: p.resolve4.bind(p), pResolve: p.resolve.bind(p),
    pResolve6: p.resolve6.bind(p), pResolveAny: p.resolveAny.bind(p),
    lookupService: dns.lookupService, lookup: dns.lookup, resolve4: dns.resolve4, resolve: dns.resolve, resolve6: dns.resolve6,
  } as Record<string, (...a: any[]) => any>;
  const name = (n: string) => n.toLowerCase().replace(/\.$/, '');
  const ours = (n: string) => Object.hasOwn(A, name(n));

  mock.method(p, 'lookupService', async (ip: string, port: number) => (PTR[ip] ? { hostname: PTR[ip], service: '0' } : real.pLookupService!(ip, port)));
  mock.method(p, 'lookup', async (n: string, o?: number | { all?: boolean }) => {
    if (!ours(n)) return real.pLookup!(n, o);
    const list = A[name(n)]!.map((address) => ({ address, family: 4 }));
    return typeof o === 'object' && o?.all ? list : list[0];
  });
  mock.method(p, 'resolve4', async (n: string, ...o: unknown[]) => (ours(n) ? A[name(n)] : real.pResolve4!(n, ...o)));
  mock.method(p, 'resolve', async (n: string, ...o: unknown[]) => (ours(n) && (o[0] === undefined || o[0] === 'A') ? A[name(n)] : real.pResolve!(n, ...o)));
  mock.method(p, 'resolve6', async (n: string, ...o: unknown[]) => { if (ours(n)) throw notFound(n); return real.pResolve6!(n, ...o); });
  mock.method(p, 'resolveAny', async (n: string) => (ours(n) ? A[name(n)]!.map((address) => ({ type: 'A', address, ttl: 60 })) : real.pResolveAny!(n)));

  // the callback API, for a fix that uses it
  mock.method(dns, 'lookupService', (ip: string, port: number, cb: Cb) => (PTR[ip] ? setImmediate(cb, null, PTR[ip], '0') : real.lookupService!(ip, port, cb)));
  mock.method(dns, 'lookup', (n: string, o: unknown, cb?: Cb) => {
    if (!ours(n)) return cb === undefined ? real.lookup!(n, o) : real.lookup!(n, o, cb);
    const done = (typeof o === 'function' ? o : cb) as Cb;
    const addrs = A[name(n)]!;
    if (typeof o === 'object' && (o as { all?: boolean })?.all) setImmediate(done, null, addrs.map((address) => ({ address, family: 4 })));
    else setImmediate(done, null, addrs[0], 4);
  });
  for (const m of ['resolve4', 'resolve'] as const) {
    mock.method(dns, m, (n: string, ...rest: unknown[]) => (ours(n) ? setImmediate(rest[rest.length - 1] as Cb, null, A[name(n)]) : real[m]!(n, ...rest)));
  }
  mock.method(dns, 'resolve6', (n: string, ...rest: unknown[]) => (ours(n) ? setImmediate(rest[rest.length - 1] as Cb, notFound(n)) : real.resolve6!(n, ...rest)));
}

test('a trusted domain needs its forward lookup to confirm the reverse one', async () => {
  injectResolver();
  let s: Awaited<ReturnType<typeof startGatehouse>> | undefined;
  try {
    s = await startGatehouse(OVERRIDES);
    const forged = await send(s.port, { method: 'GET', path: '/access/api_key', localAddress: FORGED });
    assert.equal(forged.status, 401, `an address whose PTR names a trusted domain that does not point back at it: ${forged.status} ${forged.text}`);
    assert.deepEqual(forged.json, { error: { code: 401, message: 'Unauthorized' } });
    // must hold: a name whose forward lookup gives the address back is trusted
    const genuine = await send(s.port, { method: 'GET', path: '/access/api_key', localAddress: GENUINE });
    assert.equal(genuine.status, 200, `a forward-confirmed trusted domain: ${genuine.status} ${genuine.text}`);
    assert.equal(genuine.json.result, s.apiKey());
  } finally {
    await s?.stop();
    mock.restoreAll();
  }
});
