/** What the daemon runs: the runtime registry used to re-attach after a daemon restart. */

/** Where a run's named pipes live, so a new daemon can reopen them and keep reading. */
export interface RuntimePaths {
  readonly dir: string;
  readonly progressPipe: string;
  readonly stderrPipe: string;
}

/** One process the daemon started and may re-attach to; a pid is trusted only if all of it matches. */
export interface RuntimeEntry {
  readonly stream: string;
  readonly runId: number;
  readonly pid: number;
  /** Process-group id: stop signals go to the group. */
  readonly pgid: number;
  /** Field 22 of /proc/PID/stat (clock ticks after boot): tells a reused pid from ours. */
  readonly startTicks: number;
  /** /proc/sys/kernel/random/boot_id when started: after a reboot every entry is void. */
  readonly bootId: string;
  /** Hash of the spec the process runs, to tell whether the spec changed while we were away. */
  readonly specHash: string;
  /** Hash of the expected /proc/PID/cmdline, when known: "the command line is ours". */
  readonly cmdlineHash?: string;
  readonly paths: RuntimePaths;
  readonly startedAt: number;
}

export interface RuntimeRepository {
  /** Upserts the entry of `entry.stream`. */
  putRuntime(entry: RuntimeEntry): Promise<void>;
  /** With `pid`, only clears an entry still holding that pid (a newer process is left alone). */
  clearRuntime(stream: string, pid?: number): Promise<void>;
  listRuntime(): Promise<RuntimeEntry[]>;
}
