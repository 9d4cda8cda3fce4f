// [limits]: gatehouse's rate limits and size caps.
import { z } from 'zod';
import { int } from '../values.js';

const positive = int({ min: 1 });

export const limits = z.object({
  login_attempts_per_ip: positive.default(20),
  login_attempts_per_user: positive.default(10),
  lockout_seconds: positive.default(300),
  ws_max_message_bytes: positive.default(262144),
  ws_messages_per_second: positive.default(50),
  max_header_bytes: positive.default(16384),
});
