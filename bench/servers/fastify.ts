// A reference point between the baseline and gatehouse: Fastify with default
// options (no logger), one route answering the same JSON as the baseline. What
// the framework alone costs on this machine.
import Fastify from 'fastify';
import { childReady } from '../lib/child.js';

const result = { username: 'bench', source: 'moonraker', created_on: 1754000000.123 };
const app = Fastify();
app.get('/access/user', async (_req, reply) => reply.type('application/json; charset=UTF-8').send(JSON.stringify({ result })));
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
childReady({ port: typeof addr === 'object' && addr ? addr.port : 0 }, () => app.close());
