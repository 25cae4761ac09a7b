/**
 * CPU time and resident memory of one process, from Linux's /proc. The parsers are pure; the
 * reader does the I/O and is what the process sampler calls, never a scrape.
 */
import { readFileSync } from 'node:fs';

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

export interface ProcStatTimes {
  readonly cpuTicks: number;
  readonly startTicks: number;
}

/**
 * utime + stime (fields 14, 15) and starttime (field 22) of a /proc/PID/stat line. The command
 * name (field 2) is in parentheses and may hold spaces and ')', so fields are counted after the
 * LAST ')'.
 */
export function parseProcStatTimes(line: string): ProcStatTimes | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = line.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const start = Number(rest[19]);
  if (![utime, stime, start].every((n) => Number.isInteger(n) && n >= 0)) return undefined;
  return { cpuTicks: utime + stime, startTicks: start };
}

/** VmRSS of a /proc/PID/status text, in bytes (the kernel reports kB = KiB). */
export function parseResidentBytes(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

/**
 * The /proc reader. `clockTicks` is USER_HZ, the unit of the stat times: 100 on every common
 * Linux architecture (it is fixed by the kernel ABI, whatever CONFIG_HZ is).
 */
export function procfsReader(clockTicks = 100, root = '/proc'): ProcessStatsReader {
  return {
    // Synchronous on purpose: /proc is served from memory, and a read through the thread pool
    // (open, fstat, read, close: four hops per file) costs far more than it saves at 1,000 pids.
    read(pid) {
      try {
        const stat = readFileSync(`${root}/${pid}/stat`, 'utf8');
        const status = readFileSync(`${root}/${pid}/status`, 'utf8');
        const times = parseProcStatTimes(stat);
        // A zombie (exited, not yet reaped) has no VmRSS line: nothing resident, nothing to report.
        const residentBytes = parseResidentBytes(status);
        if (!times || residentBytes === undefined) return Promise.resolve(undefined);
        return Promise.resolve({ cpuSeconds: times.cpuTicks / clockTicks, residentBytes, startTicks: times.startTicks });
      } catch {
        return Promise.resolve(undefined); // gone between listing and reading, or no /proc
      }
    },
  };
}
