/**
 * One run's progress over time: whether ffmpeg's counters advanced (the stall detector's input)
 * and fps, bitrate and speed computed from counter deltas over a sliding window, because the
 * figures ffmpeg prints are averages since the start of the run.
 */
import type { ProgressBlock } from './progress.js';

export interface ProgressTrackerOptions {
  /** Span of the sliding window the rates are computed over. Default 5 s. */
  readonly windowMs?: number;
  /** Cap on samples held, whatever the block rate. Default 64. */
  readonly maxSamples?: number;
}

/** What one run has produced so far, and how fast it produces now. */
export interface ProgressSnapshot {
  /** Latest totals as reported (absent until ffmpeg reports them). */
  readonly frames?: number;
  readonly bytes?: number;
  readonly outTimeSeconds?: number;
  readonly dropFrames?: number;
  readonly dupFrames?: number;
  /** Frames per wall second over the window. */
  readonly fps?: number;
  /** Output bits per wall second over the window. */
  readonly bitrate?: number;
  /** Media seconds per wall second over the window (1 = real time). */
  readonly speed?: number;
  readonly blocks: number;
  readonly lastBlockAtMs?: number;
  /** When a counter last increased; the stall detector's input. */
  readonly lastAdvanceAtMs?: number;
  /** ffmpeg printed `progress=end`. */
  readonly ended: boolean;
}

export interface ProgressUpdate {
  /** Any of out_time, frame, total_size increased (vs zero for the first block of the run). */
  readonly advanced: boolean;
}

interface Sample {
  readonly atMs: number;
  readonly frame: number | undefined;
  readonly bytes: number | undefined;
  readonly outTimeUs: number | undefined;
}

type CounterName = 'frame' | 'bytes' | 'outTimeUs';

/**
 * Tracks one run's progress. Pure: the caller passes the time each block was read. Use a new
 * tracker for each run (counters restart at zero).
 */
export class ProgressTracker {
  private readonly windowMs: number;
  private readonly maxSamples: number;
  private samples: Sample[] = [];
  private last: { frame?: number; bytes?: number; outTimeUs?: number } = {};
  private dropFrames: number | undefined;
  private dupFrames: number | undefined;
  private blocks = 0;
  private lastBlockAtMs: number | undefined;
  private lastAdvanceAtMs: number | undefined;
  private ended = false;

  constructor(options: ProgressTrackerOptions = {}) {
    this.windowMs = options.windowMs ?? 5_000;
    this.maxSamples = Math.max(2, options.maxSamples ?? 64);
  }

  update(block: ProgressBlock, atMs: number): ProgressUpdate {
    // A clock that steps back must not produce negative intervals.
    const at = Math.max(atMs, this.lastBlockAtMs ?? atMs);
    const next = { frame: block.frame, bytes: block.totalSizeBytes, outTimeUs: block.outTimeUs };
    let advanced = false;
    let regressed = false;
    for (const name of ['frame', 'bytes', 'outTimeUs'] as const) {
      const value = next[name];
      if (value === undefined) continue;
      const previous = this.last[name] ?? 0;
      if (value > previous) advanced = true;
      if (value < previous) regressed = true;
      this.last[name] = value;
    }
    // Counters never go back within a run; if they do, old samples would give negative rates.
    if (regressed) this.samples = [];
    this.samples.push({ atMs: at, ...next });
    this.prune(at);

    if (block.dropFrames !== undefined) this.dropFrames = block.dropFrames;
    if (block.dupFrames !== undefined) this.dupFrames = block.dupFrames;
    if (block.ended) this.ended = true;
    this.blocks += 1;
    this.lastBlockAtMs = at;
    if (advanced) this.lastAdvanceAtMs = at;
    // No snapshot here: this runs for every block, and callers ask for one only when they need it.
    return { advanced };
  }

  /**
   * The latest totals and windowed rates. With `atMs`, rates are 0 once no block has arrived
   * for a whole window: ffmpeg reports every stats period while packets flow, so silence means
   * nothing is being produced.
   */
  snapshot(atMs?: number): ProgressSnapshot {
    const stale = atMs !== undefined && this.lastBlockAtMs !== undefined && atMs - this.lastBlockAtMs >= this.windowMs;
    const out: { -readonly [K in keyof ProgressSnapshot]: ProgressSnapshot[K] } = {
      blocks: this.blocks,
      ended: this.ended,
    };
    if (this.last.frame !== undefined) out.frames = this.last.frame;
    if (this.last.bytes !== undefined) out.bytes = this.last.bytes;
    if (this.last.outTimeUs !== undefined) out.outTimeSeconds = this.last.outTimeUs / 1e6;
    if (this.dropFrames !== undefined) out.dropFrames = this.dropFrames;
    if (this.dupFrames !== undefined) out.dupFrames = this.dupFrames;
    const fps = stale ? zeroIfKnown(this.last.frame) : this.ratePerSecond('frame');
    const bytesPerSecond = stale ? zeroIfKnown(this.last.bytes) : this.ratePerSecond('bytes');
    const usPerSecond = stale ? zeroIfKnown(this.last.outTimeUs) : this.ratePerSecond('outTimeUs');
    if (fps !== undefined) out.fps = fps;
    if (bytesPerSecond !== undefined) out.bitrate = bytesPerSecond * 8;
    if (usPerSecond !== undefined) out.speed = usPerSecond / 1e6;
    if (this.lastBlockAtMs !== undefined) out.lastBlockAtMs = this.lastBlockAtMs;
    if (this.lastAdvanceAtMs !== undefined) out.lastAdvanceAtMs = this.lastAdvanceAtMs;
    return out;
  }

  /** Samples held (bounded by maxSamples). */
  get sampleCount(): number {
    return this.samples.length;
  }

  /** Keeps one sample at or before the window start as the anchor, so the span covers the window. */
  private prune(newestAtMs: number): void {
    const windowStart = newestAtMs - this.windowMs;
    let drop = 0;
    while (drop + 1 < this.samples.length && (this.samples[drop + 1]?.atMs ?? Infinity) <= windowStart) drop++;
    drop = Math.max(drop, this.samples.length - this.maxSamples);
    if (drop > 0) this.samples.splice(0, drop);
  }

  private ratePerSecond(name: CounterName): number | undefined {
    let newest: Sample | undefined;
    for (let i = this.samples.length - 1; i >= 0 && newest === undefined; i--) {
      const sample = this.samples[i];
      if (sample?.[name] !== undefined) newest = sample;
    }
    const oldest = this.samples.find((sample) => sample[name] !== undefined);
    if (newest === undefined || oldest === undefined || newest.atMs <= oldest.atMs) return undefined;
    const delta = (newest[name] ?? 0) - (oldest[name] ?? 0);
    return delta < 0 ? undefined : delta / ((newest.atMs - oldest.atMs) / 1_000);
  }
}

function zeroIfKnown(value: number | undefined): number | undefined {
  return value === undefined ? undefined : 0;
}
