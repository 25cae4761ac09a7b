/**
 * Last-resort cleanup: everything a benchmark starts (daemon, ffmpeg, PM2 daemon, fake encoders)
 * registers a synchronous "kill it by pid" callback here, run when the bench exits or is
 * interrupted, so a failed or interrupted run leaves nothing behind. Normal teardown unregisters.
 */
const callbacks = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const callback of [...callbacks]) {
    try {
      callback();
    } catch {
      // best effort: keep cleaning up the rest
    }
  }
  callbacks.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      runAll();
      process.exit(130);
    });
  }
}

/** Registers `callback`; returns a function that unregisters it. */
export function onCleanup(callback: () => void): () => void {
  install();
  callbacks.add(callback);
  return () => {
    callbacks.delete(callback);
  };
}

/** Sends `signal` to `pid` (a negative pid is a process group); false when it is gone. */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
