// The worker's share of the CPU. Precompute, gene rankings and training are background work: on a machine the
// worker shares with the API, they should take only the CPU the API leaves, so a promotion's hours of rankings
// do not slow every request. Linux keeps a niceness per thread and a new thread inherits its creator's, so
// every thread the process has now is reniced once, at start; threads made later (onnxruntime's pools, libuv's)
// inherit it. A worker started nicer already (`nice -n 19 gexbert worker`) keeps its niceness.
import fs from 'node:fs';
import os from 'node:os';

/** The process's threads (Linux), or just the process elsewhere. */
function threadIds(): number[] {
  try {
    return fs.readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    return [process.pid];
  }
}

/** Renices every thread of this process to at least `nice`; returns the niceness the process now has. */
export function lowerWorkerPriority(nice: number): number {
  const target = Math.max(nice, os.getPriority(0));
  for (const tid of threadIds()) {
    try {
      if (os.getPriority(tid) < target) os.setPriority(tid, target);
    } catch {
      // a thread that ended since it was listed
    }
  }
  return os.getPriority(0);
}
