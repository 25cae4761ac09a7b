/** What the metrics sampler reads of a process (adapters/procfs.ts reads it from /proc). */
export interface ProcessStats {
  /** utime + stime, in seconds, since the process started. */
  readonly cpuSeconds: number;
  readonly residentBytes: number;
  /**
   * When the process started, in clock ticks since boot (field 22 of /proc/PID/stat). Two
   * readings of one pid with different start times are two different processes (pid reuse).
   */
  readonly startTicks: number;
}

/** Reads a process's figures; undefined when it is gone (or /proc is not there). */
export interface ProcessStatsReader {
  read(pid: number): Promise<ProcessStats | undefined>;
}
