// A JSON request body as every listener reads it (server/http-server.ts's parser)
// and as the gateway reads a file call's body for its scope check
// (faces/gateway/deciding-args.ts): bytes that are not UTF-8 are refused rather
// than silently turned into U+FFFD, an empty body is "no arguments", and
// malformed JSON is a 400 naming the problem.
import { HttpError } from './http-errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's value (undefined when empty); throws INVALID_UTF8 or INVALID_JSON. */
export function parseJsonBody(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new HttpError('INVALID_UTF8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('INVALID_JSON');
  }
}
