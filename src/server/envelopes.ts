// Which face answers an error the server itself meets, and in which envelope.
// A listener of its own (the Grafana face's grafana_port) always answers in its
// face's; the shared listener answers Grafana's routes (/api/*, /login, /logout,
// the web pages) in Grafana's and everything else in Moonraker's.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { moonrakerErrorHandler } from '../faces/moonraker/http.js';
import { MOONRAKER_JSON, moonrakerBody } from '../faces/moonraker/errors.js';
import { grafanaErrorHandler } from '../faces/grafana/http.js';
import { GRAFANA_JSON, HTTP_WORDING } from '../faces/grafana/errors.js';
import type { HttpError } from '../faces/shared/http-errors.js';

export type Face = 'moonraker' | 'grafana';
/** What a listener serves: one face, or both (the main listener with the Grafana face on). */
export type Listener = Face | 'shared';

const GRAFANA_PATH = /^\/(?:api(?:[/?]|$)|login(?:[/?]|$)|logout(?:[/?]|$)|org\/apikeys|public\/gatehouse\/)/;

export const faceOfUrl = (listener: Listener, url: string): Face =>
  listener !== 'shared' ? listener : GRAFANA_PATH.test(url) ? 'grafana' : 'moonraker';

export function renderError(face: Face, error: unknown, req: FastifyRequest, reply: FastifyReply) {
  return face === 'grafana' ? grafanaErrorHandler(error, req, reply) : moonrakerErrorHandler(error, req, reply);
}

/** The body of an error written on a raw socket (no URL known: the shared listener answers as Moonraker). */
export function rawBody(listener: Listener, err: HttpError): { body: string; type: string } {
  if (listener === 'grafana') return { body: JSON.stringify({ message: HTTP_WORDING[err.code] ?? err.message }), type: GRAFANA_JSON };
  return { body: moonrakerBody(err), type: MOONRAKER_JSON };
}
