/**
 * CPU time and resident memory of one process, from Linux's /proc. The parsers are pure; the
 * reader does the I/O and is what the process sampler calls, never a scrape.
 */
import { readFileSync } from 'node:fs';
import type { ProcessStatsReader } from '../ports/process-stats.js';

export interface ProcStat {
  /** Field 3: R, S, D, Z (zombie), T, … */
  readonly state: string;
  readonly cpuTicks: number;
  readonly startTicks: number;
  /** Field 24: resident set size, in pages. */
  readonly rssPages: number;
}

/**
 * State (field 3), utime + stime (fields 14, 15), starttime (field 22) and rss (field 24) of a
 * /proc/PID/stat line. The command name (field 2) is in parentheses and may hold spaces and ')',
 * so fields are counted after the LAST ')'.
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = line.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const state = rest[0] ?? '';
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const start = Number(rest[19]);
  const rss = Number(rest[21]);
  if (state === '' || ![utime, stime, start, rss].every((n) => Number.isInteger(n) && n >= 0)) return undefined;
  return { state, cpuTicks: utime + stime, startTicks: start, rssPages: rss };
}

/** VmRSS of a /proc/PID/status text, in bytes (the kernel reports kB = KiB). */
export function parseResidentBytes(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

const DEFAULT_PAGE_SIZE = 4096;

/**
 * The kernel's page size, the unit of stat's rss: 4 KiB on x86-64, 16 or 64 KiB on some arm64
 * kernels. Node does not expose it, so it is derived once from this process's own figures: VmRSS
 * (kB) over rss (pages), read back to back, rounded to a power of two.
 */
export function detectPageSize(root = '/proc'): number {
  try {
    const pages = parseProcStat(readFileSync(`${root}/self/stat`, 'utf8'))?.rssPages;
    const bytes = parseResidentBytes(readFileSync(`${root}/self/status`, 'utf8'));
    if (pages === undefined || pages === 0 || bytes === undefined) return DEFAULT_PAGE_SIZE;
    return 2 ** Math.round(Math.log2(bytes / pages));
  } catch {
    return DEFAULT_PAGE_SIZE;
  }
}

/**
 * The /proc reader: one file per process (stat), since status costs the kernel far more to write.
 * `clockTicks` is USER_HZ, the unit of the stat times: 100 on every common Linux architecture (it
 * is fixed by the kernel ABI, whatever CONFIG_HZ is).
 */
export function procfsReader(clockTicks = 100, root = '/proc', pageSize = detectPageSize(root)): ProcessStatsReader {
  return {
    // Synchronous on purpose: /proc is served from memory, and a read through the thread pool
    // (open, fstat, read, close: four hops per file) costs far more than it saves at 1,000 pids.
    read(pid) {
      try {
        const stat = parseProcStat(readFileSync(`${root}/${pid}/stat`, 'utf8'));
        // A zombie (exited, not yet reaped) holds no memory: nothing to report.
        if (!stat || stat.state === 'Z') return Promise.resolve(undefined);
        return Promise.resolve({ cpuSeconds: stat.cpuTicks / clockTicks, residentBytes: stat.rssPages * pageSize, startTicks: stat.startTicks });
      } catch {
        return Promise.resolve(undefined); // gone between listing and reading, or no /proc
      }
    },
  };
}
