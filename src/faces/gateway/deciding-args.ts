// The arguments of a forwarded HTTP file call whose scope depends on them
// (src/auth/scopes.ts FILE_CALLS: a path under the config root needs admin).
// Their body is small (paths), so it is read here, up to a limit, parsed as
// Moonraker parses it (faces/moonraker/args.ts: the query, a form body, a JSON
// body over them); the caller forwards the body exactly as it came.
import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { collectArgs, parseMultipart, parseUrlencoded } from '../moonraker/args.js';
import { HttpError } from '../shared/http-errors.js';

/** Such a call's body holds a few paths: anything larger is refused rather than held. */
const MAX_BODY_BYTES = 64 * 1024;

async function readBody(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError('BODY_TOO_LARGE', { limit: MAX_BODY_BYTES });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function parsedBody(raw: Buffer, type: string): Promise<unknown> {
  if (type.startsWith('application/x-www-form-urlencoded')) return parseUrlencoded(raw);
  if (type.startsWith('multipart/form-data')) return parseMultipart(raw, type);
  if (type.startsWith('application/json') && raw.length > 0) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError('INVALID_JSON');
    }
  }
  return undefined;
}

/** The request's arguments as Moonraker would see them, and its body as read (to be forwarded as it came). */
export async function decidingArgs(req: FastifyRequest): Promise<{ args: Record<string, unknown>; body: Buffer }> {
  const body = req.body instanceof Readable ? await readBody(req.body) : Buffer.alloc(0);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const view = { url: req.url, headers: req.headers, body: await parsedBody(body, type) } as FastifyRequest;
  return { args: collectArgs(view), body };
}
