// [audit]: gatehouse's audit trail.
import { z } from 'zod';

export const audit = z.object({
  /** Also append every audit event, one JSON object per line, to this file. */
  json_lines_file: z.string().optional(),
});
