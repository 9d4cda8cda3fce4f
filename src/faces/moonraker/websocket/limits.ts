// Limits that keep one websocket client from hurting the others. Every field
// has a default; GatehouseOptions.websocket overrides any of them.

export interface WebsocketLimits {
  /** Largest message accepted (bytes). A larger frame or message closes the connection with 1009. */
  maxMessageBytes: number;
  /**
   * Sustained messages per second per connection (token bucket refill rate; a
   * batch costs one token per entry, and one larger than what is left is
   * refused whole). Past the budget a message is answered with JSON-RPC error
   * 429 "Too Many Requests" and not run; each refused message puts the bucket a
   * token in debt, and a client that keeps sending until the debt passes
   * `burst` is closed with 1008 "Rate limit exceeded".
   */
  messagesPerSecond: number;
  /** Bucket size: how many messages may arrive at once (and how far into debt before 1008). */
  burst: number;
  /** Requests of one connection running at once; past it the socket is paused (TCP backpressure) until one ends. */
  maxInFlight: number;
  /** Bytes queued for a client that does not read; past it the connection is dropped. */
  maxBufferedBytes: number;
  /** Ping every this many ms; a peer that has not answered the previous ping by then is closed with 1000 "ping timed out" and, if it cannot complete the close, cut off closeGraceMs later (Moonraker/Tornado: 10 s, same close). */
  pingIntervalMs: number;
  /** Open websocket connections per instance; past it the upgrade is refused with 503. */
  maxConnections: number;
  /** How long a peer gets to answer a close (shutdown 1001, 1008, ping timeout) before its socket is destroyed (Moonraker waits 2 s at shutdown). */
  closeGraceMs: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebsocketLimits = {
  maxMessageBytes: 65536,
  messagesPerSecond: 50,
  burst: 100,
  maxInFlight: 8,
  maxBufferedBytes: 1 << 20,
  pingIntervalMs: 10_000,
  maxConnections: 20_000,
  closeGraceMs: 2000,
};

export function websocketLimits(over: Partial<WebsocketLimits> | undefined): WebsocketLimits {
  const limits = { ...DEFAULT_WEBSOCKET_LIMITS };
  for (const [k, v] of Object.entries(over ?? {})) if (v !== undefined) (limits as any)[k] = v;
  return limits;
}
