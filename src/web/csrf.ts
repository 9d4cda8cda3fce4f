// The web UI's CSRF tokens (docs/web-ui.md). A browser session's token is an HMAC of
// the session's id and start under a secret derived from the master key, so every
// listener, every restart and every instance on one store agree (behind a balancer a
// page's token works on whichever instance answers). A cross-site form
// cannot send a custom header, and a cross-site script cannot read the token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Core } from '../core/core.js';
import type { WebSession } from '../core/model.js';
import { GrafanaError } from '../faces/grafana/errors.js';

export const CSRF_HEADER = 'x-gatehouse-csrf';

function csrfTokens(secret: Buffer) {
  const of = (s: WebSession) => createHmac('sha256', secret).update(`${s.id}:${s.createdAt}`).digest('base64url');
  return {
    of,
    check(s: WebSession, sent: unknown) {
      const want = Buffer.from(of(s));
      const got = Buffer.from(typeof sent === 'string' ? sent : '');
      if (got.length !== want.length || !timingSafeEqual(got, want)) throw new GrafanaError('UI_CSRF');
    },
  };
}
export type CsrfTokens = ReturnType<typeof csrfTokens>;

const perCore = new WeakMap<Core, CsrfTokens>();

export function csrfOf(core: Core): CsrfTokens {
  let t = perCore.get(core);
  if (!t) perCore.set(core, (t = csrfTokens(core.secretFor('web-ui-csrf'))));
  return t;
}
