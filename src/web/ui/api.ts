/// <reference lib="dom" />
// The page's one way to the server: <prefix>api/… with the session cookie, the CSRF
// header on every change; a 401 sends the browser to sign in and back here after.
const root = document.getElementById('app')!;
export const PREFIX = root.dataset.prefix || '/gatehouse/';
export const LOGIN = root.dataset.login || `${PREFIX}login`;

export class ApiError extends Error {
  constructor(message: string, readonly status: number) { super(message); }
}

let csrf = '';
let renew: () => Promise<void> = async () => {};
export function setCsrf(token: string, refetch: () => Promise<void>) { csrf = token; renew = refetch; }

let pending = 0;
function busy(d: number) {
  pending += d;
  document.getElementById('busy')?.toggleAttribute('hidden', pending === 0);
}

/** To the sign-in page, and back to this very page once signed in. */
export function toLogin(): void {
  location.assign(`${LOGIN}?redirectTo=${encodeURIComponent(location.pathname + location.search + location.hash)}`);
}

export async function api<T = any>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-gatehouse-csrf'] = csrf;
  busy(1);
  try {
    const res = await fetch(`${PREFIX}api${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    let data: any = null;
    try { data = await res.json(); } catch { /* no body */ }
    if (res.status === 401) {
      toLogin();
      throw new ApiError('Your session has ended: signing in again…', 401);
    }
    // Another instance or a restart has another CSRF secret: fetch the token again, once.
    if (res.status === 403 && /CSRF/.test(data?.message ?? '') && !retried) {
      await renew();
      return api<T>(method, path, body, true);
    }
    if (!res.ok) throw new ApiError(data?.message || `Request failed (HTTP ${res.status})`, res.status);
    return data as T;
  } finally {
    busy(-1);
  }
}

/** The Grafana face's routes, served again under the UI's API. */
export const gapi = <T = any>(method: string, path: string, body?: unknown) => api<T>(method, `/grafana${path}`, body);
