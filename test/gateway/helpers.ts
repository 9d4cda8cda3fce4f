// Gatehouse as a gateway in front of the recording upstream (test/helpers/upstream.ts),
// with both faces on, as shipped: the Grafana face on a listener of its own
// (grafana_port 0), which a Moonraker upstream requires (its /api is forwarded).
import net from 'node:net';
import { startGatehouse, type Overrides, type Running } from '../helpers/server.js';
import { startUpstream, type RecordingUpstream } from '../helpers/upstream.js';

export const ADMIN_PASSWORD = 'admin-pw-for-gateway-tests';

export interface Gateway { s: Running; up: RecordingUpstream; grafanaBase: string; stop(): Promise<void> }

/** An upstream, and a gatehouse forwarding to it (or to `upstreamOrigin`, e.g. a closed port). */
export async function startGateway(over: Overrides = {}, o: { upstreamOrigin?: string } = {}): Promise<Gateway> {
  const up = await startUpstream();
  let s: Running;
  try {
    s = await startGatehouse({
      ...over,
      gatehouse: { grafana_enabled: true, grafana_host: '127.0.0.1', grafana_port: 0, ...over.gatehouse },
      security: { admin_password: ADMIN_PASSWORD, ...over.security },
      gateway: { moonraker_upstream: o.upstreamOrigin ?? up.origin, ...over.gateway },
    });
  } catch (err) {
    await up.close();
    throw err;
  }
  const g = s.gh.grafanaAddress()!;
  return {
    s, up, grafanaBase: `http://127.0.0.1:${g.port}`,
    async stop() { await s.stop(); await up.close(); },
  };
}

export interface RawReply { status: number; headers: Record<string, string>; body: string; raw: string }

/**
 * One request written on a raw socket exactly as given (fetch and node:http
 * would normalise the target first); the connection closes after the answer.
 */
export function rawRequest(port: number, head: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      const lines = raw.slice(0, end < 0 ? raw.length : end).split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = end < 0 ? '' : raw.slice(end + 4);
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
      resolve({ status, headers, body, raw });
    });
    socket.write(head.includes('\r\n\r\n') ? head : `${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

function unchunk(s: string): string {
  let out = '';
  for (let i = 0; i < s.length;) {
    const eol = s.indexOf('\r\n', i);
    const n = parseInt(s.slice(i, eol), 16);
    if (!n) break;
    out += s.slice(eol + 2, eol + 2 + n);
    i = eol + 2 + n + 2;
  }
  return out;
}
