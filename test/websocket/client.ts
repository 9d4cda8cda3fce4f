// A small JSON-RPC client over a real `ws` socket, for the websocket tests.
import WebSocket from 'ws';

export interface OpenOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  localAddress?: string;
  autoPong?: boolean;
}

export class RpcClient {
  readonly messages: any[] = [];
  private waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  private nextId = 1;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      this.messages.push(m);
      for (const w of [...this.waiters]) {
        if (w.pred(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async open(port: number, o: OpenOptions = {}): Promise<RpcClient> {
    const qs = o.query ? '?' + new URLSearchParams(o.query).toString() : '';
    const ws = new WebSocket(`ws://127.0.0.1:${port}/websocket${qs}`, {
      headers: o.headers, localAddress: o.localAddress, autoPong: o.autoPong ?? true, perMessageDeflate: false,
    });
    const c = new RpcClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, res })));
    });
    ws.on('error', () => {});
    return c;
  }

  /** Waits for the first message (already received or to come) matching `pred`. */
  next(pred: (m: any) => boolean, timeoutMs = 5000): Promise<any> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (m: any) => { clearTimeout(t); resolve(m); } };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error('timed out waiting for a message; got: ' + JSON.stringify(this.messages).slice(0, 2000)));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  send(raw: unknown): void {
    this.ws.send(typeof raw === 'string' || Buffer.isBuffer(raw) ? raw : JSON.stringify(raw));
  }

  /** Calls a method; resolves with the whole answer ({result} or {error}). */
  async call(method: string, params?: unknown): Promise<any> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }), id });
    return this.next((m) => m && m.id === id && !Array.isArray(m));
  }

  /** Calls a method and returns its result, failing on an error answer. */
  async result(method: string, params?: unknown): Promise<any> {
    const a = await this.call(method, params);
    if (a.error) throw new Error(`${method}: ${a.error.code} ${a.error.message}`);
    return a.result;
  }

  notifications(method: string): any[] {
    return this.messages.filter((m) => m && m.method === method);
  }

  identify(creds: { access_token?: string; api_key?: string } = {}, type = 'web') {
    return this.call('server.connection.identify', { client_name: 'gatehouse-test', version: '1.0', type, url: 'https://example.invalid', ...creds });
  }

  close(code = 1000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
    return this.closed;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
