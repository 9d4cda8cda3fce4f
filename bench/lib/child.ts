// Child processes for the bench: every server under test runs in its own Node
// process (a bundle from lib/bundle.ts, or a .ts file through the tsx loader), so the load generator in the parent never shares an
// event loop with it. Protocol over the IPC channel: the child sends
// {type:'ready', ...info} once it can serve, and exits cleanly on {type:'stop'}
// (so --cpu-prof can write its profile).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
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
  /** Run node under this program (e.g. valgrind and its options): fork's execPath becomes wrap[0]. */
  wrap?: string[];
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
  /** Profiles the child from now until the returned function is called; writes `file` (a .cpuprofile). */
  profileWindow(file: string, intervalUs?: number): Promise<() => Promise<void>>;
  /** The child's event-loop delay (ms) since the last call. */
  loopDelay(): Promise<{ p50: number; p99: number; max: number }>;
}

/** Node's flags for `script`: the tsx loader for a .ts file (a bundle needs none), and --cpu-prof when profiling. */
export function childExecArgv(script: string, o: { profile?: boolean; name: string }): string[] {
  const args = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  if (o.profile) {
    // One directory per child: Node writes one profile per thread (tsx's loader runs in its own); the main thread's is the large one.
    const dir = join(PROFILE_DIR, `${o.name}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  return args;
}

/** Forks `script` (a bundle or a .ts file, relative to bench/ or absolute) with `args`; resolves once it reports ready. */
export function startChild<T>(script: string, args: string[], o: ChildOptions): Promise<Child<T>> {
  const execArgv = childExecArgv(script, o);
  const proc = fork(resolve(BENCH_DIR, script), args, {
    ...(o.wrap ? { execPath: o.wrap[0], execArgv: [...o.wrap.slice(1), process.execPath, ...execArgv] } : { execArgv }),
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
      profileWindow: async (file: string, intervalUs = 200) => {
        const started = next('prof-start', 10_000);
        proc.send({ type: 'prof-start', intervalUs });
        await started;
        return async () => {
          const stopped = next<{ error?: string }>('prof-stop', 60_000);
          proc.send({ type: 'prof-stop', file });
          const r = await stopped;
          if (r.error) throw new Error(`${o.name}: profile: ${r.error}`);
        };
      },
      loopDelay: () => {
        const p = next<{ p50: number; p99: number; max: number }>('eld', 10_000);
        proc.send({ type: 'eld' });
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
const eld = monitorEventLoopDelay({ resolution: 1 });
let inspector: Session | undefined;

export function childReady(info: Record<string, unknown>, cleanup: () => Promise<void> | void = () => {}): void {
  eld.enable();
  const exit = async () => {
    try { await cleanup(); } finally { process.exit(0); }
  };
  process.on('SIGTERM', () => void exit());
  if (!process.send) return; // spawned without an IPC channel (the start-up scenario)
  process.on('message', (m: any) => {
    if (m?.type === 'stop') void exit();
    // CPU time of the whole process (every thread), µs: the cost side of a measurement.
    if (m?.type === 'cpu') { const u = process.cpuUsage(); process.send!({ type: 'cpu', us: u.user + u.system, user: u.user }); }
    // A CPU profile of a window only (not start-up): 'prof-start', then 'prof-stop' with the file to write.
    if (m?.type === 'prof-start') {
      inspector ??= new Session();
      inspector.connect();
      inspector.post('Profiler.enable', () => inspector!.post('Profiler.setSamplingInterval', { interval: m.intervalUs ?? 200 }, () =>
        inspector!.post('Profiler.start', () => process.send!({ type: 'prof-start' }))));
    }
    if (m?.type === 'prof-stop') {
      inspector!.post('Profiler.stop', (err, r) => {
        if (!err) writeFileSync(m.file, JSON.stringify(r.profile));
        inspector!.disconnect();
        process.send!({ type: 'prof-stop', error: err?.message });
      });
    }
    // Event-loop delay since the last 'eld' message (ms): how long the loop was blocked.
    if (m?.type === 'eld') {
      const h = eld;
      process.send!({ type: 'eld', p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 });
      h.reset();
    }
  });
  process.on('disconnect', () => void exit());
  process.send({ type: 'ready', ...info });
}
