/**
 * A process the FIFO runner spawned itself: our child, so its exit (with code and signal) comes
 * from node's 'exit'/'close' events, and its pid cannot be reused before we reaped it — signals
 * need no re-validation.
 *
 * `onExit` fires exactly once: after 'close' and after both FIFO readers ended (every byte
 * delivered), or at once with `spawnError`. When the leader exits, its group gets one SIGKILL so
 * nothing it left behind survives (and holds the FIFOs open); readers still open after
 * `pipeCloseGraceMs` are closed. Then the run folder is removed.
 */
import type { ChildProcess } from 'node:child_process';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type {
  ChildProcessHandle,
  GroupSignal,
  ProcessExit,
  ProcessHandlers,
  RuntimeIdentity,
} from '../../ports/process-runner.js';
import type { RuntimePaths } from '../../ports/store.js';
import type { ProcessSystem } from './process-system.js';
import type { FifoPoller } from './fifo-poller.js';
import { RunOutput, safeCall } from './run-output.js';
import { removeRunDir } from './runtime-dir.js';
import { errnoCode } from '../error-details.js';

export interface RunDeps {
  readonly system: ProcessSystem;
  readonly clock: Pick<Clock, 'setTimer'>;
  /** After the leader exited (spawned) or was seen gone (adopted): how long readers may stay open. */
  readonly pipeCloseGraceMs: number;
  /** Called once when the run is over and its folder removed. */
  readonly onDone: (dir: string) => void;
  /** Reads progress pipes on a shared beat (see fifo-poller.ts); without it, as data arrives. */
  readonly progressPoller?: FifoPoller;
}

export class SpawnedRun implements ChildProcessHandle {
  readonly pid: number | undefined;
  private readonly identity: RuntimeIdentity | undefined;
  private readonly output: RunOutput;
  /** True from a successful spawn until the leader exited and the group was reaped. */
  private groupLive = false;
  private finished = false;
  private closeResult: { code: number | null; signal: string | null } | undefined;
  private graceTimer: TimerHandle | undefined;

  constructor(
    child: ChildProcess,
    progressPipe: boolean,
    cmdlineHash: string,
    private readonly paths: RuntimePaths,
    private readonly handlers: ProcessHandlers,
    private readonly deps: RunDeps,
  ) {
    this.pid = child.pid;
    this.output = new RunOutput(paths, progressPipe ? ['progress', 'stderr'] : ['stderr'], handlers, () => this.maybeFinish(), deps.progressPoller);

    if (this.pid !== undefined) {
      this.groupLive = true;
      // Read now: the child cannot have been reaped yet (that needs a turn of the event loop),
      // so /proc/PID is there (at worst a zombie, which still has its start time).
      const stat = deps.system.stat(this.pid);
      if (stat !== undefined) {
        this.identity = {
          pid: this.pid,
          pgid: stat.pgrp,
          startTicks: stat.startTimeTicks,
          bootId: deps.system.bootId(),
          cmdlineHash,
          paths,
        };
      }
    }

    child.once('error', (error) => {
      // With a pid the process did start: a later, non-fatal error. Without one, spawning failed.
      if (child.pid !== undefined) return;
      this.finish({ code: null, signal: null, spawnError: { code: errnoCode(error) ?? 'ESPAWN', message: error.message } });
    });
    child.once('exit', () => {
      this.reapGroup();
      // The leader's own ends closed with it: a polled pipe reads its last bytes and EOF now.
      this.output.drainAll();
      if (this.output.openCount > 0 && !this.finished) {
        this.graceTimer = deps.clock.setTimer(deps.pipeCloseGraceMs, () => this.output.destroyAll());
      }
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (child.pid === undefined) return; // spawn failure, reported through 'error'
      this.reapGroup();
      this.closeResult = { code, signal };
      this.maybeFinish();
    });
  }

  signalGroup(signal: GroupSignal): void {
    if (!this.groupLive || this.pid === undefined) return;
    this.deps.system.killGroup(this.pid, signal);
  }

  describe(): RuntimeIdentity | undefined {
    return this.identity;
  }

  private reapGroup(): void {
    if (!this.groupLive || this.pid === undefined) return;
    // The leader is gone: kill what it left in its group (descendants would hold the FIFOs open
    // and would be orphans streaming nowhere).
    this.deps.system.killGroup(this.pid, 'SIGKILL');
    this.groupLive = false;
  }

  private maybeFinish(): void {
    if (this.closeResult === undefined || this.output.openCount > 0) return;
    this.finish(this.closeResult);
  }

  private finish(exit: ProcessExit): void {
    if (this.finished) return;
    this.finished = true;
    this.groupLive = false;
    this.graceTimer?.cancel();
    this.output.destroyAll();
    removeRunDir(this.paths);
    this.deps.onDone(this.paths.dir);
    safeCall(() => this.handlers.onExit(exit));
  }
}
