// Scenario 8's floor: the least server built from gatehouse's own libraries
// (Fastify, zod, Kysely on better-sqlite3, jose, ws, pino), bundled and loaded
// as gatehouse is (scripts/build.js's options, bin/load-bundle.js's code cache),
// settled the same way (src/server/settle.ts). Its idle RSS is what this stack
// costs before gatehouse does anything. `main(port, dataDir)` answers
// GET /access/info.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import * as jose from 'jose';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { createWriteStream } from 'node:fs';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { collectStartupGarbage } from '../../src/server/settle.js';

const Info = z.object({ login_required: z.boolean(), trusted: z.boolean() });

export async function main(port: number, dataDir: string): Promise<void> {
  const db = new Kysely<Record<string, never>>({ dialect: new SqliteDialect({ database: new Database(`${dataDir}/floor.sqlite`) }) });
  await sql`create table if not exists t (id integer primary key)`.execute(db);
  const secret = new TextEncoder().encode('a floor, not a secret, 32 bytes!');
  const token = await new jose.SignJWT({ sub: 'bench' }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
  const app = Fastify({ loggerInstance: pino({ level: 'info' }, createWriteStream('/dev/null')) });
  const wss = new WebSocketServer({ noServer: true });
  app.server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.close()));
  app.get('/access/info', async () => {
    await jose.jwtVerify(token, secret);
    return { result: Info.parse({ login_required: false, trusted: false }) };
  });
  await app.listen({ host: '127.0.0.1', port });
  collectStartupGarbage();
}
