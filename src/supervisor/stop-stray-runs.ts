/**
 * Stored runs of streams that no longer exist (removed while the daemon was down) must not keep
 * publishing unsupervised: each is adopted (which validates that the process is really ours —
 * a process that fails validation is never signalled) and stopped the usual way, SIGINT, then
 * SIGTERM, then SIGKILL to its group.
 */
import type { StopPolicy } from '../domain/stream-spec.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { AdoptRequest, ProcessRunner } from '../ports/process-runner.js';
import { GONE } from './stream-supervisor.js';

export interface StrayRun extends AdoptRequest {
  readonly stream: string;
}

export interface StopStrayDeps {
  readonly runner: ProcessRunner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stop: StopPolicy;
  /** Called once a stray run is known to be over (stopped, or already gone): forget its entry. */
  readonly forget: (run: StrayRun) => void;
}

/** Stops every stray run concurrently; resolves when each has exited or was left alone. */
export async function stopStrayRuns(runs: readonly StrayRun[], deps: StopStrayDeps): Promise<void> {
  await Promise.all(runs.map((run) => stopOne(run, deps)));
}

function stopOne(run: StrayRun, deps: StopStrayDeps): Promise<void> {
  const { runner, clock, logger, stop } = deps;
  const log = logger.child({ stream: run.stream, pid: run.pid });
  return new Promise((resolve) => {
    const timers: Array<{ cancel(): void }> = [];
    const result = runner.adopt?.(run, {
      onProgress: () => {},
      onStderr: () => {},
      onExit: () => {
        for (const timer of timers) timer.cancel();
        log.info({}, 'stray ffmpeg of a removed stream stopped');
        deps.forget(run);
        resolve();
      },
    });
    if (!result) {
      log.error({}, 'this runner cannot re-attach; a stray ffmpeg of a removed stream is left alone');
      resolve();
      return;
    }
    if (!result.adopted) {
      if (GONE.has(result.reason)) deps.forget(run);
      else log.error({ reason: result.reason, detail: result.detail }, 'a stored run of a removed stream could not be proven ours; not signalled');
      resolve();
      return;
    }
    log.warn({}, 'stopping the ffmpeg of a stream removed while the daemon was down');
    const handle = result.handle;
    handle.signalGroup('SIGINT');
    timers.push(clock.setTimer(stop.interruptGraceMs, () => handle.signalGroup('SIGTERM')));
    timers.push(clock.setTimer(stop.interruptGraceMs + stop.terminateGraceMs, () => handle.signalGroup('SIGKILL')));
  });
}
