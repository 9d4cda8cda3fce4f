// gatehouse's rate limits and size caps, the websocket's included.
import { int, MAX_DURATION_S, MAX_TIMER_MS, text } from '../values.js';
import { option, section } from '../option.js';

const count = int({ min: 0 });
const positive = int({ min: 1 });
const timerMs = (min: number) => int({ min, max: MAX_TIMER_MS });

export const limits = section('rate limits and size caps', {
  login_attempts_per_ip: option(count, 'Failed password checks per client address within lockout_seconds before it is locked (429); 0: no limit.', '20'),
  login_attempts_per_user: option(count, 'Failed password checks per account within lockout_seconds before it is locked (429); 0: no limit.', '10'),
  lockout_seconds: option(int({ min: 1, max: MAX_DURATION_S }), 'The window over which failures count, and so the longest a lockout lasts.', '300'),
  password_checks_queued: option(count, 'Password checks waiting or running at once (every face); past it an attempt is refused (503, or 401 on the Grafana face), not queued; 0: no bound.', '128'),
  max_header_bytes: option(positive, 'Largest request head; more is refused with 431.', '16384'),
  ws_max_message_bytes: option(positive, 'Largest websocket message; a larger one closes the connection with 1009.', '262144'),
  ws_messages_per_second: option(positive, 'Sustained websocket messages per second per connection; past it JSON-RPC error 429.', '50'),
  ws_burst: option(positive, 'Websocket messages that may arrive at once (and how far into debt before close 1008).', '100'),
  ws_max_in_flight: option(positive, 'Requests of one websocket running at once; past it the socket is paused.', '8'),
  ws_max_buffered_bytes: option(positive, 'Bytes queued for a websocket client that does not read; past it the connection is dropped.', '1048576'),
  ws_ping_interval_ms: option(timerMs(0), 'Websocket ping interval; a peer that missed the previous ping is closed (0: no pings).', '10000'),
  ws_close_grace_ms: option(timerMs(1), 'How long a websocket peer gets to complete a close before its socket is destroyed.', '2000'),
  ws_max_connections: option(positive, "Open websocket connections per instance; past it the upgrade is refused with 503. Never more than the process's descriptor limit less a reserve (a quarter, at least 128).", '20000'),
  ws_max_connections_per_ip: option(count, 'Open websocket connections per client address; past it the upgrade is refused with 429; 0: no limit.', '100'),
  ws_max_unauthenticated_per_ip: option(count, 'Websocket connections per client address not (yet) authenticated; past it an upgrade without a credential is refused with 429; 0: no limit.', '20'),
  ws_auth_timeout_seconds: option(int({ min: 0, max: Math.floor(MAX_TIMER_MS / 1000) }), 'A websocket connection unauthenticated this long (since it opened, or lost its authentication) is closed with 1008; 0: never.', '60'),
});

export const audit = section("gatehouse's audit trail", {
  json_lines_file: option(text, 'Also append every audit event, one JSON object per line, to this file.'),
});
