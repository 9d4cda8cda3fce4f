// The raw password-hash rate: `concurrency` loops of argon2id verify (what a
// login does) at gatehouse's own ARGON2_PARAMS, in a process of its own, as
// the login scenario runs its server. On {type:'run', concurrency, duration} it
// answers {type:'result', rate, count, seconds}.
import { verify } from '@node-rs/argon2';
import { hashPassword } from '../../src/core/security/passwords.js';
import { childReady } from '../lib/child.js';

const PASSWORD = 'bench-password-1';
const stored = await hashPassword(PASSWORD);

async function run(concurrency: number, seconds: number): Promise<{ count: number; seconds: number }> {
  const end = performance.now() + seconds * 1000;
  let count = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      if (!(await verify(stored, PASSWORD))) throw new Error('argon2 verify failed');
      count++;
    }
  }));
  return { count, seconds: (performance.now() - t0) / 1000 };
}

process.on('message', async (m: any) => {
  if (m?.type !== 'run') return;
  const r = await run(m.concurrency, m.duration);
  process.send!({ type: 'result', rate: r.count / r.seconds, ...r });
});
childReady({});
