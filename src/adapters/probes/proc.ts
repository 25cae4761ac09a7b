/**
 * Parsers for Linux /proc files used by the process check. Pure: they take file contents.
 *
 * /proc/PID/stat: `pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
 * cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss …`
 * — `comm` may contain spaces and parentheses, so fields are read after the LAST `)`.
 * Times are in clock ticks (USER_HZ, 100 on every mainstream Linux architecture).
 */

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R running, S sleeping, D disk sleep, Z zombie, T stopped, t traced, X dead, I idle. */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /** User + system CPU time of the process itself, in clock ticks. */
  readonly cpuTicks: number;
  readonly numThreads: number;
  /** When the process started, in clock ticks after boot. */
  readonly startTimeTicks: number;
  /** Resident set size in pages. */
  readonly rssPages: number;
}

export interface ProcStatus {
  readonly state?: string;
  readonly vmRssBytes?: number;
  readonly threads?: number;
}

export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state) of proc(5); field n is fields[n - 3].
  const field = (n: number): number => Number(fields[n - 3]);
  const state = fields[0];
  if (!Number.isInteger(pid) || state === undefined || state.length !== 1 || fields.length < 22) return undefined;
  const values = {
    ppid: field(4),
    pgrp: field(5),
    utime: field(14),
    stime: field(15),
    numThreads: field(20),
    startTimeTicks: field(22),
    rssPages: field(24),
  };
  if (Object.values(values).some((v) => !Number.isFinite(v))) return undefined;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: values.ppid,
    pgrp: values.pgrp,
    cpuTicks: values.utime + values.stime,
    numThreads: values.numThreads,
    startTimeTicks: values.startTimeTicks,
    rssPages: values.rssPages,
  };
}

export function parseProcStatus(text: string): ProcStatus {
  let state: string | undefined;
  let vmRssBytes: number | undefined;
  let threads: number | undefined;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'State') state = value.charAt(0) || undefined;
    else if (key === 'VmRSS') {
      const match = /^(\d+)\s*kB$/i.exec(value);
      if (match !== null) vmRssBytes = Number(match[1]) * 1024;
    } else if (key === 'Threads') {
      const n = Number(value);
      if (Number.isInteger(n)) threads = n;
    }
  }
  return {
    ...(state !== undefined && { state }),
    ...(vmRssBytes !== undefined && { vmRssBytes }),
    ...(threads !== undefined && { threads }),
  };
}

/** Seconds since boot, from /proc/uptime (`12345.67 54321.00`). */
export function parseUptime(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s/.exec(`${text} `);
  return match === null ? undefined : Number(match[1]);
}

/** One CPU sample: the process's CPU ticks at a moment of system uptime. */
export interface CpuSample {
  readonly cpuTicks: number;
  readonly uptimeSeconds: number;
}

/**
 * CPU use between two samples, in percent of one core (200 = two cores busy). Undefined when
 * no time passed or the counters went backwards (another process reused the pid).
 */
export function cpuPercentBetween(previous: CpuSample, current: CpuSample, ticksPerSecond: number): number | undefined {
  const wall = current.uptimeSeconds - previous.uptimeSeconds;
  const cpu = (current.cpuTicks - previous.cpuTicks) / ticksPerSecond;
  if (wall <= 0 || cpu < 0) return undefined;
  return (cpu / wall) * 100;
}

/** Average CPU use since the process started (for the first sample of a process). */
export function cpuPercentSinceStart(stat: ProcStat, uptimeSeconds: number, ticksPerSecond: number): number | undefined {
  return cpuPercentBetween(
    { cpuTicks: 0, uptimeSeconds: stat.startTimeTicks / ticksPerSecond },
    { cpuTicks: stat.cpuTicks, uptimeSeconds },
    ticksPerSecond,
  );
}

const STATE_NAMES: Readonly<Record<string, string>> = {
  R: 'running',
  S: 'sleeping',
  D: 'in uninterruptible sleep',
  Z: 'a zombie',
  T: 'stopped',
  t: 'stopped by a tracer',
  X: 'dead',
  I: 'idle',
  W: 'paging',
  P: 'parked',
};

export function describeState(state: string): string {
  return STATE_NAMES[state] ?? `in state ${state}`;
}
