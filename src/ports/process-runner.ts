/**
 * Starting and signalling OS processes. The supervisor never touches child_process itself:
 * production uses the node adapter, unit tests a fake runner.
 */
export type GroupSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT';

export interface SpawnRequest {
  command: string;
  args: readonly string[];
  /** Open a pipe on fd 3 and deliver what the child writes there through `onProgress`. */
  progressPipe: boolean;
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}

/** How a process ended. `spawnError` is set when it never started (binary missing, not executable). */
export interface ProcessExit {
  code: number | null;
  signal: string | null;
  spawnError?: { code: string; message: string };
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
}

export interface ProcessRunner {
  /** Spawns `command` with an argv (never a shell) as the leader of a new process group. */
  spawn(request: SpawnRequest, handlers: ProcessHandlers): ChildProcessHandle;
}
