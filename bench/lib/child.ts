// Child processes for the bench: every server under test runs in its own Node
// process (tsx loader), so the load generator in the parent never shares an
// event loop with it. Protocol over the IPC channel: the child sends
// {type:'ready', ...info} once it can serve, and exits cleanly on {type:'stop'}
// (so --cpu-prof can write its profile).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PROFILE_DIR = join(BENCH_DIR, 'profiles');

export interface ChildOptions {
  /** Write V8 CPU profiles of this child to bench/profiles/<name>-<time>/. */
  profile?: boolean;
  /** Name used in the profile file and in error messages. */
  name: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface Child<T> {
  proc: ChildProcess;
  info: T;
  /** Ask the child to exit and wait for it (kills it after 10 s). */
  stop(): Promise<void>;
  /** Sends a message and waits for the child's next message of type `reply`. */
  request<R>(msg: Record<string, unknown>, reply: string, timeoutMs?: number): Promise<R>;
  /** CPU time the child has used so far (user + system, all threads), µs. */
  cpu(): Promise<number>;
}

export function tsxExecArgv(o: { profile?: boolean; name: string }): string[] {
  const args = ['--import', 'tsx'];
  if (o.profile) {
    // One directory per child: Node writes one profile per thread (tsx's loader runs in its own); the main thread's is the large one.
    const dir = join(PROFILE_DIR, `${o.name}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  return args;
}

/** Forks `script` (a .ts file under bench/) with `args`; resolves once it reports ready. */
export function startChild<T>(script: string, args: string[], o: ChildOptions): Promise<Child<T>> {
  const proc = fork(join(BENCH_DIR, script), args, {
    execArgv: tsxExecArgv(o),
    // Server logs (pino, to stdout) go to /dev/null: their cost is measured, not their reading.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, ...o.env },
  });
  const waiters: { type: string; resolve: (m: any) => void }[] = [];
  proc.on('message', (m: any) => {
    const i = waiters.findIndex((w) => w.type === m?.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const next = <R>(type: string, timeoutMs: number) => new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${o.name}: no "${type}" from the child within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => reject(new Error(`${o.name}: child exited (code ${code}) before "${type}"`));
    proc.once('exit', onExit);
    waiters.push({ type, resolve: (m) => { clearTimeout(timer); proc.off('exit', onExit); resolve(m as R); } });
  });
  let exited: Promise<void> | undefined;
  const stop = () => {
    exited ??= new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => { clearTimeout(kill); resolve(); });
      if (proc.connected) proc.send({ type: 'stop' });
      else proc.kill('SIGTERM');
    });
    return exited;
  };
  return next<T>('ready', o.timeoutMs ?? 60_000).then(
    (info) => ({
      proc, info, stop,
      request: <R>(msg: Record<string, unknown>, reply: string, timeoutMs = 120_000) => {
        const p = next<R>(reply, timeoutMs);
        proc.send(msg);
        return p;
      },
      cpu: async () => {
        const p = next<{ us: number }>('cpu', 10_000);
        proc.send({ type: 'cpu' });
        return (await p).us;
      },
    }),
    async (err) => { await stop(); throw err; },
  );
}

/** In a child: report readiness, and exit cleanly when asked (or when the parent goes away). */
export function childReady(info: Record<string, unknown>, cleanup: () => Promise<void> | void = () => {}): void {
  const exit = async () => {
    try { await cleanup(); } finally { process.exit(0); }
  };
  process.on('SIGTERM', () => void exit());
  if (!process.send) return; // spawned without an IPC channel (the start-up scenario)
  process.on('message', (m: any) => {
    if (m?.type === 'stop') void exit();
    // CPU time of the whole process (every thread), µs: the cost side of a measurement.
    if (m?.type === 'cpu') { const u = process.cpuUsage(); process.send!({ type: 'cpu', us: u.user + u.system }); }
  });
  process.on('disconnect', () => void exit());
  process.send({ type: 'ready', ...info });
}
