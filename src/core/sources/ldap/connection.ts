// One LDAP login attempt on a fresh client, bounded as a whole: at the deadline
// every socket of the attempt is destroyed and the login fails with a 503 naming
// LDAP, never a 500. A directory that went away and came back needs no restart.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import { CoreError, fail } from '../../errors.js';
import type { SourceLog } from '../types.js';

class Timeout extends Error {}

export interface Directory {
  url: string;
  host: string;
  secure: boolean;
  ca: Buffer | undefined;
  timeoutMs: number;
  log?: SourceLog;
}

export function tlsOptions(d: Directory): ConnectionOptions {
  return {
    minVersion: 'TLSv1.2',
    ...(d.ca ? { ca: [d.ca] } : {}),
    // the name the certificate is checked against (StartTLS has no host of its own)
    host: d.host,
    ...(isIP(d.host) ? {} : { servername: d.host }),
  };
}

/** Runs `work` on a fresh client within the directory's timeout; the sockets are ours so the deadline can destroy them. */
export async function attempt<T>(d: Directory, work: (client: Client) => Promise<T>): Promise<T> {
  const sockets = new Set<Socket>();
  const track = <S extends Socket>(s: S): S => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    return s;
  };
  const client = new Client({
    url: d.url,
    connectTimeout: d.timeoutMs,
    timeout: d.timeoutMs,
    ...(d.secure ? { tlsOptions: tlsOptions(d) } : {}),
    createConnection: ((...a: Parameters<typeof netConnect>) => track(netConnect(...a))) as typeof netConnect,
    createSecureConnection: ((...a: Parameters<typeof tlsConnect>) => track(tlsConnect(...a))) as typeof tlsConnect,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), d.timeoutMs);
  });
  try {
    const result = await Promise.race([work(client), deadline]);
    await Promise.race([client.unbind().catch(() => {}), deadline.catch(() => {})]);
    return result;
  } catch (err) {
    if (err instanceof CoreError) throw err;
    throw failure(d, err);
  } finally {
    clearTimeout(timer);
    for (const s of sockets) s.destroy();
  }
}

/** A directory that cannot be reached, answers too slowly, or whose TLS certificate is not trusted: 503. */
function failure(d: Directory, err: unknown): CoreError {
  if (err instanceof Timeout) return unavailable(d, `the directory did not answer within ${d.timeoutMs} ms`, err);
  const e = err as { code?: unknown; message?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && /CERT|SIGNATURE|ISSUER|ERR_TLS|ERR_SSL|SELF_SIGNED/.test(code)) {
    return unavailable(d, `the directory's TLS certificate was refused (${code})`, err);
  }
  if (/timed? ?out/i.test(e.message ?? '')) return unavailable(d, `the directory did not answer within ${d.timeoutMs} ms`, err);
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return unavailable(d, 'the directory is unreachable', err);
  }
  return unavailable(d, 'the connection to the directory failed', err);
}

export function unavailable(d: Directory, why: string, cause: unknown): CoreError {
  const c = cause as { code?: unknown; message?: string } | undefined;
  d.log?.warn({ ldap: d.url, cause: c?.message ?? String(cause), code: c?.code }, `LDAP authentication failed: ${why}`);
  return fail('LDAP_ERROR', { why });
}
