/**
 * ProcessRunner whose processes survive the daemon: output goes through named pipes in a
 * runtime folder instead of anonymous pipes, so a new daemon can reopen them and `adopt` the
 * process after a restart — including `kill -9` of the daemon.
 *
 * spawn (see fifo-io.ts for why each end is opened the way it is):
 *   1. a run folder (0700) with FIFOs `progress` and `stderr` (mkfifo(1), argv, no shell);
 *   2. each FIFO opened O_RDWR for the child — its stderr (fd 2) and, with `progressPipe`, fd 3;
 *   3. spawn: argv only, `detached` (own session and process group), stdin and stdout ignored;
 *   4. our read ends opened O_RDONLY|O_NONBLOCK and read with epoll; then our copies of the
 *      child's ends are closed, so EOF comes when the child (and its group) closed them.
 *   Exit is the child's own 'exit'/'close' (code and signal known). `describe()` returns what
 *   the runtime registry must store: pid, pgid, start ticks, boot id, command-line fingerprint,
 *   paths. Unlike NodeProcessRunner there is deliberately no kill-everything-on-exit registry:
 *   surviving the daemon is the point. A graceful daemon shutdown stops its streams itself.
 *
 * adopt: validates (adoption-check.ts) and never signals a process that fails; then reattaches
 * (adopted-run.ts). The folder of a run is removed when its process is gone; `sweep` removes
 * folders of runs that no longer exist.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Clock } from '../../ports/clock.js';
import type {
  AdoptRequest,
  AdoptResult,
  ChildProcessHandle,
  ProcessHandlers,
  ProcessRunner,
  RuntimeIdentity,
  SpawnRequest,
} from '../../ports/process-runner.js';
import type { RuntimePaths } from '../../ports/store.js';
import { AdoptedRun } from './adopted-run.js';
import { checkAdoption, checkIdentity, cmdlineHashForArgs } from './adoption-check.js';
import { closeQuietly, openChildEnd } from './fifo-io.js';
import { FifoPoller } from './fifo-poller.js';
import { linuxProcessSystem, type ProcessSystem } from './process-system.js';
import { safeCall } from './run-output.js';
import { createRunDir, mkfifoCommand, removeRunDir, sweepRuntimeDir, type MakeFifos, type SweepResult } from './runtime-dir.js';
import { SpawnedRun } from './spawned-run.js';
import { errnoCode, errorMessage } from '../error-details.js';

export interface FifoProcessRunnerOptions {
  /** Root of the run folders; created 0700. Must survive a daemon restart (see runtime-dir.ts). */
  runtimeDir: string;
  /** Timers for exit polling and grace periods. */
  clock: Pick<Clock, 'setTimer'>;
  /** /proc and kill(2). Default: Linux. */
  system?: ProcessSystem;
  /** How often an adopted process is checked for exit. Default 250 ms. */
  exitPollMs?: number;
  /**
   * After a spawned leader exited (and its group was SIGKILLed), how long to wait for the FIFO
   * readers to end before closing them. Default 2000 ms.
   */
  pipeCloseGraceMs?: number;
  /** After an adopted process was seen gone, how long its readers may still drain. Default 100 ms. */
  drainGraceMs?: number;
  /**
   * How often progress pipes are read, all on one beat (fifo-poller.ts); 0 reads each as data
   * arrives. Default 500 ms: progress comes once a second, so it is seen at most half a second
   * late, far inside any stall timeout.
   */
  progressPollMs?: number;
  /** Creates the FIFOs. Default: mkfifo(1). */
  makeFifos?: MakeFifos;
}

export class FifoProcessRunner implements ProcessRunner {
  readonly runtimeDir: string;
  private readonly clock: Pick<Clock, 'setTimer'>;
  private readonly system: ProcessSystem;
  private readonly exitPollMs: number;
  private readonly pipeCloseGraceMs: number;
  private readonly drainGraceMs: number;
  private readonly makeFifos: MakeFifos;
  private readonly progressPoller: FifoPoller | undefined;
  /** Run folders of every run this runner spawned or adopted and that has not ended. */
  private readonly active = new Map<string, ChildProcessHandle>();

  constructor(options: FifoProcessRunnerOptions) {
    this.runtimeDir = path.resolve(options.runtimeDir);
    this.clock = options.clock;
    this.system = options.system ?? linuxProcessSystem;
    this.exitPollMs = options.exitPollMs ?? 250;
    this.pipeCloseGraceMs = options.pipeCloseGraceMs ?? 2000;
    this.drainGraceMs = options.drainGraceMs ?? 100;
    this.makeFifos = options.makeFifos ?? mkfifoCommand;
    const pollMs = options.progressPollMs ?? 500;
    this.progressPoller = pollMs > 0 ? new FifoPoller(this.clock, pollMs) : undefined;
  }

  spawn(request: SpawnRequest, handlers: ProcessHandlers): ChildProcessHandle {
    let paths: RuntimePaths;
    try {
      paths = createRunDir(this.runtimeDir, request.runtimeLabel, this.makeFifos);
    } catch (error) {
      return notStarted(handlers, 'ERUNTIMEDIR', errorMessage(error));
    }

    let stderrEnd: number | undefined;
    let progressEnd: number | undefined;
    let child: ChildProcess;
    try {
      stderrEnd = openChildEnd(paths.stderrPipe);
      if (request.progressPipe) progressEnd = openChildEnd(paths.progressPipe);
      child = spawn(request.command, [...request.args], {
        detached: true,
        stdio: ['ignore', 'ignore', stderrEnd, progressEnd ?? 'ignore'],
        // `env` adds to (and overrides) the daemon's environment rather than replacing it.
        env: request.env === undefined ? process.env : { ...process.env, ...request.env },
        ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
        windowsHide: true,
      });
    } catch (error) {
      closeQuietly(stderrEnd);
      closeQuietly(progressEnd);
      removeRunDir(paths);
      return notStarted(handlers, errnoCode(error) ?? 'ESPAWN', errorMessage(error));
    }

    // Our read ends are opened (inside SpawnedRun) while our copies of the child's ends are
    // still open — a writer exists, so EOF will be reported when the last writer goes.
    const run = new SpawnedRun(child, request.progressPipe, cmdlineHashForArgs(request.args), paths, handlers, {
      system: this.system,
      clock: this.clock,
      pipeCloseGraceMs: this.pipeCloseGraceMs,
      onDone: (dir) => this.active.delete(dir),
      ...(this.progressPoller !== undefined && { progressPoller: this.progressPoller }),
    });
    closeQuietly(stderrEnd);
    closeQuietly(progressEnd);
    if (run.pid !== undefined) this.active.set(paths.dir, run);
    return run;
  }

  adopt(request: AdoptRequest, handlers: ProcessHandlers): AdoptResult {
    const dir = path.resolve(request.paths.dir);
    if (this.active.has(dir)) {
      return { adopted: false, reason: 'invalid-entry', detail: `run folder ${dir} is already attached` };
    }
    const bootId = this.system.bootId();
    const stat = this.system.stat(request.pid);
    const identity = checkIdentity(request, { bootId, stat });
    if (!identity.ok) return { adopted: false, reason: identity.reason, detail: identity.detail };
    const cmdline = this.system.cmdline(request.pid);
    // Read the stat again: the command line read in between belongs to our process only if the
    // pid kept its start time across it.
    const after = this.system.stat(request.pid);
    const verdict = checkAdoption(request, { bootId, stat: after, cmdline });
    if (!verdict.ok) return { adopted: false, reason: verdict.reason, detail: verdict.detail };

    const run = new AdoptedRun(
      {
        pid: request.pid,
        pgid: request.pgid,
        startTicks: request.startTicks,
        bootId: request.bootId,
        cmdlineHash: request.cmdlineHash ?? '',
        paths: request.paths,
      },
      handlers,
      {
        system: this.system,
        clock: this.clock,
        pollMs: this.exitPollMs,
        drainGraceMs: this.drainGraceMs,
        onDone: (done) => this.active.delete(path.resolve(done)),
        ...(this.progressPoller !== undefined && { progressPoller: this.progressPoller }),
      },
    );
    this.active.set(dir, run);
    return { adopted: true, handle: run, missingPipes: run.missingPipes };
  }

  /** Identities of the runs this runner spawned or adopted that have not ended. */
  activeRuns(): RuntimeIdentity[] {
    const result: RuntimeIdentity[] = [];
    for (const handle of this.active.values()) {
      const identity = handle.describe?.();
      if (identity !== undefined) result.push(identity);
    }
    return result;
  }

  /**
   * Removes run folders under the runtime root that neither `liveEntries` nor this runner's own
   * active runs use. Call it after adoption is settled (pass nothing after a reboot).
   */
  sweep(liveEntries: Iterable<{ readonly paths: Pick<RuntimePaths, 'dir'> }> = []): SweepResult {
    return sweepRuntimeDir(this.runtimeDir, liveEntries, (dir) => this.active.has(dir));
  }
}

/** A handle for a process that never started; `onExit` reports the reason asynchronously. */
function notStarted(handlers: ProcessHandlers, code: string, message: string): ChildProcessHandle {
  queueMicrotask(() => safeCall(() => handlers.onExit({ code: null, signal: null, spawnError: { code, message } })));
  return { pid: undefined, signalGroup: () => undefined, describe: () => undefined };
}
