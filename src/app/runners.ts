/**
 * Which process runner runs ffmpeg. With a store, the FIFO runner: its processes outlive the
 * daemon on purpose (named pipes in a runtime folder beside the store), and the next daemon
 * re-attaches to them. Without one there is nothing to re-attach from, so the plain runner is
 * used, whose groups die with the daemon.
 */
import path from 'node:path';
import { killAllGroupsSync, NodeProcessRunner } from '../adapters/ffmpeg/node-process-runner.js';
import { FifoProcessRunner } from '../adapters/process/fifo-process-runner.js';
import { ensureRoot } from '../adapters/process/runtime-dir.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ProcessRunner } from '../ports/process-runner.js';

export interface Runners {
  readonly runner: ProcessRunner;
  /** Set when ffmpeg runs under the FIFO runner (its processes survive the daemon). */
  readonly fifo: FifoProcessRunner | undefined;
  /** Last resort (second signal): SIGKILLs every ffmpeg group still live. Synchronous. */
  killAllSync(): number;
}

/** `given` (tests) wins; else the FIFO runner when there is a store and its folder is usable. */
export function chooseRunners(given: ProcessRunner | undefined, storePath: string | undefined, clock: Clock, logger: Logger): Runners {
  const fifo = given === undefined && storePath !== undefined ? createFifoRunner(path.join(path.dirname(storePath), 'run'), clock, logger) : undefined;
  return {
    runner: given ?? fifo ?? new NodeProcessRunner(),
    fifo,
    killAllSync: () => {
      let killed = killAllGroupsSync();
      for (const run of fifo?.activeRuns() ?? []) if (killGroupSync(run.pgid)) killed += 1;
      return killed;
    },
  };
}

/** Undefined (the caller falls back to the plain runner) when the runtime folder is unusable. */
function createFifoRunner(runtimeDir: string, clock: Clock, logger: Logger): FifoProcessRunner | undefined {
  try {
    ensureRoot(runtimeDir);
  } catch (error) {
    logger.error({ err: error, runtimeDir }, 'the runtime folder is unusable; ffmpeg will not survive a daemon restart');
    return undefined;
  }
  logger.info({ runtimeDir }, 'ffmpeg runs survive a daemon restart (named pipes)');
  return new FifoProcessRunner({ runtimeDir, clock });
}

/** SIGKILLs one process group; false when it is already gone. */
function killGroupSync(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
