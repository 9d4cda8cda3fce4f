// Once start-up is over, one full garbage collection hands start-up's garbage
// (the code cache read, the config parse, the index loads) back to the system.
// V8's memory reducer does the same on its own, but only sometimes: the same
// build idled at 69 MiB or 83 MiB from run to run (bench scenario 8). Only
// `gatehouse serve` does this; an application embedding gatehouse owns its heap.
//
// v8.setFlagsFromString is Node's public API; `--expose-gc` then puts `gc` in
// every new context, and a fresh one hands it over.
import v8 from 'node:v8';
import vm from 'node:vm';

/** After bin/gatehouse.js has written V8's code cache (3 s after start) and the first requests. */
const AFTER_MS = 5000;

export function collectStartupGarbage(afterMs = AFTER_MS): void {
  setTimeout(() => {
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
  }, afterMs).unref();
}
