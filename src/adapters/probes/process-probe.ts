/**
 * The `process` check: the stream's ffmpeg pid is alive and not a zombie (nor stopped), and its
 * CPU % and RSS, read from /proc, stay under their limits. A limit fails the check only once it
 * has been exceeded continuously for `forMs` (a single busy sample is not a problem).
 *
 * CPU % is measured between two runs of the probe (the first run of a process uses its average
 * since start), in percent of one core. The probe keeps that state between runs and resets it
 * when the pid changes or the pid was reused (different start time).
 */
import { readFile } from 'node:fs/promises';
import { defaultRedactor, type Redactor } from '../../domain/redact.js';
import type { Clock } from '../../ports/clock.js';
import type { HealthProbe, ProbeResult } from '../../ports/health-probe.js';
import { Deadline, formatSeconds, guardedRun, type ProbeCommonOptions } from './probe-support.js';
import {
  cpuPercentBetween,
  cpuPercentSinceStart,
  describeState,
  parseProcStat,
  parseProcStatus,
  parseUptime,
  type CpuSample,
} from './proc.js';

export interface ProcessProbeOptions extends ProbeCommonOptions {
  /** The pid to watch now (undefined while the stream has no running process). */
  readonly pid: () => number | undefined;
  /** Percent of one core. */
  readonly maxCpuPercent?: number;
  readonly maxRssBytes?: number;
  /** How long a limit must be exceeded before the check fails. */
  readonly forMs: number;
  /** USER_HZ. Default 100. */
  readonly clockTicksPerSecond?: number;
  /** Where procfs is mounted. Default `/proc`. */
  readonly procRoot?: string;
  /** Page size for the RSS fallback when /proc/PID/status has no VmRSS. Default 4096. */
  readonly pageSize?: number;
}

interface Tracked {
  readonly pid: number;
  readonly startTimeTicks: number;
  sample?: CpuSample;
  lastCpuPercent?: number;
  cpuOverSince?: number;
  rssOverSince?: number;
}

const MIB = 1024 * 1024;
/** The shortest interval a CPU rate is measured over. */
const MIN_CPU_INTERVAL_S = 0.25;

export class ProcessProbe implements HealthProbe {
  readonly kind = 'process';
  private readonly redact: Redactor;
  private readonly clock: Clock;
  private tracked: Tracked | undefined;

  constructor(private readonly options: ProcessProbeOptions) {
    this.redact = options.redact ?? defaultRedactor;
    this.clock = options.clock;
  }

  run(signal: AbortSignal): Promise<ProbeResult> {
    return guardedRun(this.clock, this.redact, async () => {
      const pid = this.options.pid();
      if (pid === undefined) {
        this.tracked = undefined;
        return { ok: false, message: 'no process: the stream is not running' };
      }
      const deadline = new Deadline(signal, this.options.timeoutMs);
      try {
        const root = this.options.procRoot ?? '/proc';
        const read = (path: string): Promise<string | undefined> => readFile(path, { encoding: 'utf8', signal: deadline.signal }).catch(() => undefined);
        const [statText, statusText, uptimeText] = await Promise.all([
          read(`${root}/${pid}/stat`),
          read(`${root}/${pid}/status`),
          read(`${root}/uptime`),
        ]);
        if (deadline.signal.aborted) return { ok: false, message: deadline.reason() };
        const stat = statText === undefined ? undefined : parseProcStat(statText);
        if (stat === undefined) {
          this.tracked = undefined;
          return { ok: false, message: `process ${pid} is gone` };
        }
        if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'T' || stat.state === 't') {
          this.tracked = undefined;
          return { ok: false, message: `process ${pid} is ${describeState(stat.state)}`, details: { pid, state: stat.state } };
        }
        return this.judge(pid, stat, statusText, uptimeText);
      } finally {
        deadline.dispose();
      }
    });
  }

  private judge(
    pid: number,
    stat: NonNullable<ReturnType<typeof parseProcStat>>,
    statusText: string | undefined,
    uptimeText: string | undefined,
  ): { ok: boolean; message: string; details: Record<string, unknown> } {
    const hz = this.options.clockTicksPerSecond ?? 100;
    const now = this.clock.now();
    const status = statusText === undefined ? {} : parseProcStatus(statusText);
    const rssBytes = status.vmRssBytes ?? stat.rssPages * (this.options.pageSize ?? 4096);
    const uptime = uptimeText === undefined ? undefined : parseUptime(uptimeText);

    let tracked = this.tracked;
    if (tracked?.pid !== pid || tracked.startTimeTicks !== stat.startTimeTicks) {
      tracked = { pid, startTimeTicks: stat.startTimeTicks };
    }
    this.tracked = tracked;
    let cpuPercent: number | undefined;
    if (uptime !== undefined) {
      const sample = { cpuTicks: stat.cpuTicks, uptimeSeconds: uptime };
      const previous = tracked.sample;
      if (previous === undefined) {
        cpuPercent = cpuPercentSinceStart(stat, uptime, hz);
        tracked.sample = sample;
      } else if (uptime - previous.uptimeSeconds < MIN_CPU_INTERVAL_S) {
        // Too soon after the last sample for a meaningful rate (/proc/uptime has 10 ms steps):
        // repeat the last figure and keep measuring from the older sample.
        cpuPercent = tracked.lastCpuPercent ?? cpuPercentSinceStart(stat, uptime, hz);
      } else {
        cpuPercent = cpuPercentBetween(previous, sample, hz);
        tracked.sample = sample;
      }
      tracked.lastCpuPercent = cpuPercent;
    }

    const problems: string[] = [];
    const notes: string[] = [];
    const { maxCpuPercent, maxRssBytes, forMs } = this.options;
    const cpuOver = maxCpuPercent !== undefined && cpuPercent !== undefined && cpuPercent > maxCpuPercent;
    const rssOver = maxRssBytes !== undefined && rssBytes > maxRssBytes;
    tracked.cpuOverSince = cpuOver ? (tracked.cpuOverSince ?? now) : undefined;
    tracked.rssOverSince = rssOver ? (tracked.rssOverSince ?? now) : undefined;
    const cpuText = cpuPercent === undefined ? 'cpu ?' : `cpu ${cpuPercent.toFixed(1)}%`;
    const rssText = `rss ${(rssBytes / MIB).toFixed(1)} MiB`;
    if (cpuOver) {
      const heldMs = now - (tracked.cpuOverSince ?? now);
      const line = `${cpuText} above ${maxCpuPercent}% for ${formatSeconds(heldMs)}`;
      if (heldMs >= forMs) problems.push(line);
      else notes.push(`${line} (fails after ${formatSeconds(forMs)})`);
    }
    if (rssOver) {
      const heldMs = now - (tracked.rssOverSince ?? now);
      const line = `${rssText} above ${(maxRssBytes / MIB).toFixed(1)} MiB for ${formatSeconds(heldMs)}`;
      if (heldMs >= forMs) problems.push(line);
      else notes.push(`${line} (fails after ${formatSeconds(forMs)})`);
    }
    const details = {
      pid,
      state: stat.state,
      ...(cpuPercent !== undefined && { cpuPercent }),
      rssBytes,
      threads: status.threads ?? stat.numThreads,
    };
    if (problems.length > 0) return { ok: false, message: `process ${pid}: ${problems.join('; ')}`, details };
    const summary = `process ${pid} ${describeState(stat.state)}, ${cpuText}, ${rssText}`;
    return { ok: true, message: notes.length === 0 ? summary : `${summary}; ${notes.join('; ')}`, details };
  }
}
