/**
 * Starting and signalling OS processes. The supervisor never touches child_process itself:
 * production uses the node adapter, unit tests a fake runner.
 *
 * A runner may also re-attach to a process a previous daemon started (`adopt`): the FIFO runner
 * (adapters/process) routes output through named pipes that outlive the daemon for that.
 */
import type { RuntimePaths } from './store.js';

export type GroupSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT';

export interface SpawnRequest {
  command: string;
  args: readonly string[];
  /** Open a pipe on fd 3 and deliver what the child writes there through `onProgress`. */
  progressPipe: boolean;
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /**
   * A short name for the run's runtime folder (e.g. the stream id), for runners that keep one
   * (the FIFO runner). Sanitised by the runner; never trusted as a path.
   */
  runtimeLabel?: string;
}

/** How a process ended. `spawnError` is set when it never started (binary missing, not executable). */
export interface ProcessExit {
  code: number | null;
  signal: string | null;
  spawnError?: { code: string; message: string };
  /**
   * Set for an adopted process (not our child): it was seen gone, but its exit status cannot be
   * known, so `code` and `signal` are null. Classify it as "ended, cause unknown".
   */
  unknownExit?: boolean;
}

export interface ProcessHandlers {
  onProgress(chunk: string): void;
  onStderr(chunk: string): void;
  /** Called exactly once, after every byte of progress and stderr output has been delivered. */
  onExit(exit: ProcessExit): void;
}

export interface ChildProcessHandle {
  /** Undefined when the process could not be spawned; `onExit` then reports `spawnError`. */
  readonly pid: number | undefined;
  /** Sends a signal to the child's whole process group; never throws (a gone group is fine). */
  signalGroup(signal: GroupSignal): void;
  /**
   * What the runtime registry must store to re-attach to this process later (runners that
   * support `adopt`). Undefined when the process never started.
   */
  describe?(): RuntimeIdentity | undefined;
}

/**
 * Everything that identifies one process across a daemon restart. A pid alone means nothing:
 * it is trusted only when the boot id, the start time and the command line all match.
 */
export interface RuntimeIdentity {
  readonly pid: number;
  /** Process-group id (= pid: the process leads its own group); signals go to `-pgid`. */
  readonly pgid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot. Tells a reused pid from ours. */
  readonly startTicks: number;
  /** /proc/sys/kernel/random/boot_id when started: after a reboot every identity is void. */
  readonly bootId: string;
  /** Opaque fingerprint of the command line, checked against /proc/PID/cmdline on adopt. */
  readonly cmdlineHash: string;
  /** The run's folder and named pipes. */
  readonly paths: RuntimePaths;
}

/**
 * A registry entry to re-attach to (a `RuntimeEntry` from the store fits as is). `cmdlineHash`
 * is optional only because older entries may lack it: without it adoption is refused.
 */
export interface AdoptRequest {
  readonly pid: number;
  readonly pgid: number;
  readonly startTicks: number;
  readonly bootId: string;
  readonly cmdlineHash?: string;
  readonly paths: RuntimePaths;
}

/**
 * Why an adoption was refused. The pid was never signalled in any of these cases.
 * - `invalid-entry`: pid/pgid/start time not plausible (e.g. pgid 0 or 1, which kill(2) would
 *   read as "my group" / "everyone"), or this run is already attached to this runner;
 * - `other-boot`: the machine rebooted since; the stored pid means nothing;
 * - `not-running`: no such pid;
 * - `pid-reused`: the pid exists but started at another time: someone else's process;
 * - `zombie`: ours, but already dead (exited, not yet reaped by its new parent);
 * - `group-mismatch`: the process left the process group we would signal;
 * - `cmdline-unknown`: the entry has no command-line fingerprint to check;
 * - `cmdline-mismatch`: same pid and start time, but not the command line we started.
 *
 * `other-boot`, `not-running`, `pid-reused` and `zombie` mean our process is gone: start anew.
 * The others mean "a live process we cannot prove is ours": leave it alone and report it.
 */
export type AdoptRefusalReason =
  | 'invalid-entry'
  | 'other-boot'
  | 'not-running'
  | 'pid-reused'
  | 'zombie'
  | 'group-mismatch'
  | 'cmdline-unknown'
  | 'cmdline-mismatch';

export type AdoptResult =
  | {
      readonly adopted: true;
      readonly handle: ChildProcessHandle;
      /** Pipes that could not be reopened (gone, not a FIFO): that output is lost for this run. */
      readonly missingPipes: readonly ('progress' | 'stderr')[];
    }
  | { readonly adopted: false; readonly reason: AdoptRefusalReason; readonly detail: string };

export interface ProcessRunner {
  /** Spawns `command` with an argv (never a shell) as the leader of a new process group. */
  spawn(request: SpawnRequest, handlers: ProcessHandlers): ChildProcessHandle;
  /**
   * Re-attaches to a process a previous daemon started, after validating it (never signalling
   * it when validation fails). On success `handlers` receive its output from now on and
   * `onExit` fires once when it is seen gone, with `unknownExit: true`. Synchronous: the
   * validation and the attachment happen in one turn of the event loop.
   */
  adopt?(request: AdoptRequest, handlers: ProcessHandlers): AdoptResult;
}
