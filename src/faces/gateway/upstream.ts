// The upstream Moonraker: its origin, one undici connection pool to it (kept
// alive), and the address gatehouse has towards it. The HTTP gateway
// (http-proxy.ts) uses the pool; the websocket one (websocket.ts) the address.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Pool } from 'undici';

export interface UpstreamOptions {
  /** An http(s) origin, e.g. http://127.0.0.1:7126 (config [gateway] moonraker_upstream). */
  origin: string;
  /** Longest wait for response headers, and between two body chunks (ms). */
  timeoutMs: number;
  /** Longest wait for a connection (ms). */
  connectTimeoutMs: number;
}

export class Upstream {
  readonly origin: string;
  readonly pool: Pool;
  /**
   * Gatehouse's own address as the upstream sees it (undefined: not known).
   * Moonraker runs Tornado with xheaders, so it takes a client's address from
   * X-Real-Ip, else the last X-Forwarded-For entry: the gateway sends this one
   * as X-Real-Ip, so the upstream's trusted_clients sees gatehouse.
   */
  sourceAddress: string | undefined;

  private constructor(readonly opts: UpstreamOptions, sourceAddress: string | undefined) {
    this.origin = new URL(opts.origin).origin;
    this.sourceAddress = sourceAddress;
    this.pool = new Pool(this.origin, {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: opts.connectTimeoutMs },
    });
  }

  static async open(opts: UpstreamOptions): Promise<Upstream> {
    return new Upstream(opts, await sourceAddressToward(opts.origin));
  }

  get url(): URL { return new URL(this.origin); }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * The local address the kernel would send from to reach `origin`: a UDP socket
 * "connected" to it (no packet is sent) reports it. Undefined when the host
 * does not resolve or has no route now.
 */
export async function sourceAddressToward(origin: string): Promise<string | undefined> {
  const u = new URL(origin);
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  try {
    const address = isIP(hostname) ? hostname : (await lookup(hostname)).address;
    const socket = dgram.createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(port, address, () => resolve());
      });
      return socket.address().address;
    } finally {
      socket.close();
    }
  } catch {
    return undefined;
  }
}
