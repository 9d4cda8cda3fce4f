// The Fastify instance both faces are mounted on: body and header limits, a JSON
// parser that reports malformed bodies as 400, security headers on every
// response, and request logs with secrets scrubbed from URLs.
import http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { Errors } from '../core/errors.js';

export interface HttpServerOptions {
  maxBodyBytes: number;
  maxHeaderBytes: number;
  logLevel: string;
  /** A pino destination stream (tests capture logs through it). */
  logStream?: NodeJS.WritableStream;
}

const SECRET_QUERY = /([?&](?:token|access_token|api_key|apikey|password|refresh_token|auth_token)=)[^&#]*/gi;
export const scrubUrl = (url: string) => url.replace(SECRET_QUERY, '$1[redacted]');

export function createHttpServer(o: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: o.maxBodyBytes,
    serverFactory: (handler) => http.createServer({ maxHeaderSize: o.maxHeaderBytes }, handler),
    logger: {
      level: o.logLevel,
      ...(o.logStream ? { stream: o.logStream } : {}),
      serializers: {
        req: (req) => ({ method: req.method, url: scrubUrl(req.url), remoteAddress: req.ip }),
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
    },
    return503OnClosing: true,
    forceCloseConnections: true,
  });

  // Empty body is "no arguments"; malformed JSON is a 400 naming the problem.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Errors.invalidJson(), undefined);
    }
  });
  // Other bodies (forms, text) are read within the size limit and ignored, as Moonraker ignores them.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));

  // A declared length over the limit is refused before a byte of the body is read
  // (a streamed body is cut off by Fastify's own bodyLimit once it passes the limit).
  app.addHook('onRequest', async (req) => {
    const declared = Number(req.headers['content-length']);
    if (declared > o.maxBodyBytes) throw Errors.bodyTooLarge(o.maxBodyBytes);
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cache-Control', 'no-store');
    reply.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    return payload;
  });

  return app;
}
