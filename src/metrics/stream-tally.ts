/**
 * What the metrics remember about one stream across its runs. ffmpeg's counters (frames, bytes)
 * and the kernel's CPU time start from zero with every process; the exported counters must not,
 * so each run's latest figures are added to the totals of the runs before it.
 */
import type { ExitReason } from '../domain/lifecycle.js';
import type { StreamStatus } from '../ports/supervised-stream.js';
import type { ProcessStats } from '../ports/process-stats.js';

/** One run's figures so far; they start from zero with every run. */
export interface RunTally {
  frames: number;
  bytes: number;
  cpuSeconds: number;
  /** The process start time seen at the first sample; later samples must match it (pid reuse). */
  startTicks: number | undefined;
  residentBytes: number | undefined;
  /** When the last accepted sample was taken (clock ms). */
  sampledAt: number | undefined;
  /** CPU seconds per second between the last two samples (1 = one core busy); needs two samples. */
  cpuRatio: number | undefined;
}

/** The latest result of one check, as reported by the watchdog. */
export interface CheckResult {
  readonly success: boolean;
  readonly durationSeconds: number | undefined;
}

/** Totals a finished run reports about itself (its last progress block). */
export interface FinalTotals {
  readonly frames?: number;
  readonly bytes?: number;
}

function newRun(): RunTally {
  return { frames: 0, bytes: 0, cpuSeconds: 0, startTicks: undefined, residentBytes: undefined, sampledAt: undefined, cpuRatio: undefined };
}

export class StreamTally {
  private framesDone = 0;
  private bytesDone = 0;
  private cpuDone = 0;
  /** The current run, from its start (or from the first time it was seen) to its end. */
  private run: RunTally | undefined;
  /** When progress last advanced, in any run (ms since the epoch). */
  lastProgressAt: number | undefined;
  /** The delay the restart policy chose when the last run ended. */
  backoffDelayMs = 0;
  /** A failure not yet recovered from: since when, and why the run ended. */
  pendingRecovery: { readonly since: number; readonly cause: ExitReason } | undefined;
  readonly checks = new Map<string, CheckResult>();

  /** `owner` is the stream object this tally belongs to; a new stream with the same id gets a new tally. */
  constructor(readonly owner: object) {}

  get outputFrames(): number {
    return this.framesDone + (this.run?.frames ?? 0);
  }

  get outputBytes(): number {
    return this.bytesDone + (this.run?.bytes ?? 0);
  }

  get cpuSeconds(): number {
    return this.cpuDone + (this.run?.cpuSeconds ?? 0);
  }

  /** CPU use of the current process between its last two samples, in CPUs (1 = one core). */
  get cpuRatio(): number | undefined {
    return this.run?.cpuRatio;
  }

  /** Resident memory of the current process, when it has been sampled. */
  get residentBytes(): number | undefined {
    return this.run?.residentBytes;
  }

  runStarted(): void {
    this.closeRun();
    this.run = newRun();
  }

  /** The run ended: keep its figures (raised to its final totals, when known) in the totals. */
  runFinished(final: FinalTotals | undefined): void {
    if (this.run && final) raiseCounters(this.run, final.frames, final.bytes);
    this.closeRun();
  }

  /** Takes the current run's figures from a status read (scrape or sampler tick). */
  observe(status: StreamStatus): void {
    if (status.lastProgressAt !== undefined && (this.lastProgressAt ?? -Infinity) < status.lastProgressAt) {
      this.lastProgressAt = status.lastProgressAt;
    }
    // No process and no progress: between runs (the last one is already in the totals).
    if (status.pid === undefined && status.progress === undefined) return;
    // A run that started before the metrics were attached is picked up here.
    this.run ??= newRun();
    raiseCounters(this.run, status.progress?.frames, status.progress?.bytes);
  }

  /** The run whose process the sampler should read now, if any. */
  currentRun(): RunTally | undefined {
    return this.run;
  }

  /**
   * A process sample taken for `run` at `at` (clock ms); ignored when that run has ended meanwhile
   * or the pid was reused. From the second sample on, the CPU ratio over the time between them.
   */
  sampled(run: RunTally, stats: ProcessStats, at: number): void {
    if (this.run !== run) return;
    if (run.startTicks === undefined) run.startTicks = stats.startTicks;
    else if (run.startTicks !== stats.startTicks) return;
    const ratio = cpuRatioBetween(run.sampledAt, run.cpuSeconds, at, stats.cpuSeconds);
    if (ratio !== undefined) run.cpuRatio = ratio;
    if (stats.cpuSeconds > run.cpuSeconds) run.cpuSeconds = stats.cpuSeconds;
    if (run.sampledAt === undefined || at > run.sampledAt) run.sampledAt = at;
    run.residentBytes = stats.residentBytes;
  }

  private closeRun(): void {
    const run = this.run;
    if (!run) return;
    this.framesDone += run.frames;
    this.bytesDone += run.bytes;
    this.cpuDone += run.cpuSeconds;
    this.run = undefined;
  }
}

/**
 * CPU seconds used per wall second between two samples of one process; undefined without an
 * earlier sample or when no time passed. A lower CPU reading (never, from the kernel) counts as 0.
 */
export function cpuRatioBetween(earlierAt: number | undefined, earlierCpu: number, at: number, cpu: number): number | undefined {
  if (earlierAt === undefined || at <= earlierAt) return undefined;
  return Math.max(0, cpu - earlierCpu) / ((at - earlierAt) / 1_000);
}

/** Counters only go up within a run; a lower reading (a parser glitch) is ignored. */
function raiseCounters(run: RunTally, frames: number | undefined, bytes: number | undefined): void {
  if (frames !== undefined && Number.isFinite(frames) && frames > run.frames) run.frames = frames;
  if (bytes !== undefined && Number.isFinite(bytes) && bytes > run.bytes) run.bytes = bytes;
}
