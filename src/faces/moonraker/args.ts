// Moonraker's request arguments (application.py `parse_args` over Tornado's
// `request.arguments`): the query string, then a form body (urlencoded or
// multipart) appended to the same per-key lists; each key's LAST value,
// control characters made spaces, stripped; `name:hint` keys converted
// (int, float, bool, json; a failure keeps the text); a JSON body over them.
// Every value reaches the endpoints as the text Moonraker's get_str would
// give (Python's str() of the converted value).
// Rules: docs/notes/moonraker-args-and-secrets.md §1-2.
import type { FastifyRequest } from 'fastify';
import { fail } from '../../core/errors.js';
import { HttpError } from '../shared/http-errors.js';
import { pyFloat, pyStr } from './python.js';

/** A form body's fields in order, percent-encoded ASCII (so one decoder serves the query and both form kinds). */
export class FormFields {
  constructor(readonly pairs: readonly (readonly [string, string])[]) {}
}

const EXCLUDED_ARGS = new Set(['_', 'token', 'access_token', 'connection_id']);

/** application/x-www-form-urlencoded: raw bytes over 0x7f become %XX, so the UTF-8 check happens where a value is decoded. */
export function parseUrlencoded(body: Buffer): FormFields {
  const text = body.toString('latin1').replace(/[\x80-\xff]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return new FormFields(splitFields(text));
}

/** multipart/form-data: every part without a filename is a field (files are not arguments); a malformed body is 400. */
export async function parseMultipart(body: Buffer, contentType: string): Promise<FormFields> {
  let data: FormData;
  try {
    data = await new Response(body.buffer.slice(body.byteOffset, body.byteOffset + body.length) as ArrayBuffer, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new HttpError('BAD_REQUEST');
  }
  const pairs: [string, string][] = [];
  data.forEach((v, k) => { if (typeof v === 'string') pairs.push([encodeURIComponent(k), encodeURIComponent(v)]); });
  return new FormFields(pairs);
}

function splitFields(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
  }
  return pairs;
}

/** One component, decoded strictly: bad percent-encoding or UTF-8 is a 400 naming the argument, where Tornado answers 500. */
function decode(text: string, key: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw fail('INVALID_ARGUMENT', { key: key.slice(0, 64), why: 'is not valid percent-encoded UTF-8' });
  }
}

/** Tornado's request.arguments: decoded key → its encoded values, the query's first, then the form body's. */
function tornadoArguments(req: FastifyRequest): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (pairs: Iterable<readonly [string, string]>) => {
    for (const [k, v] of pairs) {
      const key = decode(k, k);
      const list = out.get(key);
      if (list) list.push(v);
      else out.set(key, [v]);
    }
  };
  const q = req.url.indexOf('?');
  if (q >= 0) add(splitFields(req.url.slice(q + 1)));
  if (req.body instanceof FormFields) add(req.body.pairs);
  return out;
}

/** Tornado's get_argument: the last value, control characters made spaces, stripped. */
function lastValue(values: string[], key: string): string {
  return decode(values[values.length - 1]!, key).replace(/[\x00-\x08\x0e-\x1f]/g, ' ').trim();
}

/** An argument from the query or a form body only (Moonraker's get_argument: never a JSON body's), or undefined. */
export function tornadoArgument(req: FastifyRequest, name: string): string | undefined {
  const values = tornadoArguments(req).get(name);
  return values && lastValue(values, name);
}

/** Python's int() of a str (ASCII digits). */
export const INT = /^[+-]?\d(?:_?\d)*$/;
const FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*|\d(?:_?\d)*\.)(?:[eE][+-]?\d(?:_?\d)*)?$|^[+-]?(?:inf|infinity|nan)$/i;

/** application.py `_convert_type`, as the text get_str then gives; a value that does not convert stays as it is. */
export function convertType(value: string, hint: string): string {
  switch (hint) {
    case 'int': return INT.test(value) ? BigInt(value.replace(/_/g, '')).toString() : value;
    case 'float': return FLOAT.test(value) ? pyFloat(Number(value.replace(/_/g, '').replace(/^([+-]?)inf(inity)?$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN'))) : value;
    case 'bool': return value.toLowerCase() === 'true' ? 'True' : 'False';
    case 'json':
      try {
        return pyStr(JSON.parse(value));
      } catch {
        return value;
      }
    default: return value;
  }
}

/**
 * The endpoint's arguments. They live in a null-prototype object so a
 * `"__proto__"` key is just an unknown argument. The JSON media type is matched
 * case-insensitively (RFC 9110; Moonraker's match is case-sensitive).
 */
export function collectArgs(req: FastifyRequest): Record<string, unknown> {
  const args: Record<string, unknown> = Object.create(null);
  for (const [key, values] of tornadoArguments(req)) {
    if (EXCLUDED_ARGS.has(key)) continue;
    const value = lastValue(values, key);
    const colon = key.lastIndexOf(':');
    if (colon < 0) args[key] = value;
    else args[key.slice(0, colon)] = convertType(value, key.slice(colon + 1));
  }
  const body = req.body;
  if (body !== undefined && !(body instanceof FormFields) && req.headers['content-type']?.toLowerCase().startsWith('application/json')) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError('BODY_NOT_OBJECT');
    for (const [k, v] of Object.entries(body)) args[k] = v;
  }
  return args;
}
