// The arguments of a forwarded HTTP file call whose scope depends on them
// (src/auth/scopes.ts FILE_CALLS: a path under the config or logs root needs admin).
// - A file call's body is small (paths): it is read here, up to a limit, parsed
//   as Moonraker parses it (faces/moonraker/args.ts: the query, a form body, a
//   JSON body over them), and the caller forwards it exactly as it came.
// - An upload's body can be large: its fields are parsed as it streams through
//   to the upstream (checkedUpload).
import { Busboy } from '@fastify/busboy';
import type { FastifyRequest } from 'fastify';
import { pipeline, Readable, Transform } from 'node:stream';
import { collectArgs, parseMultipart, parseUrlencoded } from '../moonraker/args.js';
import { HttpError } from '../shared/http-errors.js';
import { parseJsonBody } from '../shared/json-body.js';

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

/** The body as the Moonraker listener's parsers read it (server/http-server.ts, faces/moonraker/http.ts). */
async function parsedBody(raw: Buffer, type: string): Promise<unknown> {
  if (type.startsWith('application/x-www-form-urlencoded')) return parseUrlencoded(raw);
  if (type.startsWith('multipart/form-data')) return parseMultipart(raw, type);
  if (type.startsWith('application/json')) return parseJsonBody(raw);
  return undefined;
}

/** The request's arguments as Moonraker would see them, and its body as read (to be forwarded as it came). */
export async function decidingArgs(req: FastifyRequest): Promise<{ args: Record<string, unknown>; body: Buffer }> {
  const body = req.body instanceof Readable ? await readBody(req.body) : Buffer.alloc(0);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const view = { url: req.url, headers: req.headers, body: await parsedBody(body, type) } as FastifyRequest;
  return { args: collectArgs(view), body };
}

/** An upload on its way upstream: the body to send, and the refusal that stopped it, if one did. */
export interface CheckedUpload { body: Readable; refusal(): unknown }

/**
 * Passes an upload's body on while parsing its multipart fields (root, path, and the file's name, as sent),
 * holding back the last chunk until the whole body is parsed: when `check` throws, the body ends before
 * it is complete, and the upstream, which acts on an upload only once it has all of it, discards it.
 * The query's arguments are checked first, before anything is sent.
 */
export function checkedUpload(req: FastifyRequest, check: (args: Record<string, unknown>) => void): CheckedUpload {
  check(collectArgs({ url: req.url, headers: req.headers, body: undefined } as FastifyRequest));
  const source = req.body instanceof Readable ? req.body : Readable.from([]);
  let refused: unknown;
  let parser: ReturnType<typeof Busboy> | undefined;
  const fields: Record<string, unknown> = Object.create(null);
  try {
    parser = Busboy({ headers: req.headers as never, preservePath: true });
  } catch { /* not multipart: the upstream refuses it; the query was checked */ }
  const parsed = new Promise<void>((resolve, reject) => {
    if (!parser) return resolve();
    parser.on('field', (name, value) => { fields[name] = value; });
    parser.on('file', (_name, file, filename) => { fields.filename = filename; file.resume(); });
    parser.on('finish', resolve);
    parser.on('error', reject);
  });
  parsed.catch(() => {}); // awaited in flush
  let held: Buffer | undefined;
  const body = new Transform({
    transform(chunk: Buffer, _enc, done) {
      parser?.write(chunk);
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done) {
      parser?.end();
      parsed.then(() => check(fields)).then(() => done(null, held), (err: unknown) => {
        refused = err instanceof Error && 'status' in err ? err : new HttpError('BAD_REQUEST');
        done(refused as Error);
      });
    },
  });
  pipeline(source, body, () => {});
  return { body, refusal: () => refused };
}
