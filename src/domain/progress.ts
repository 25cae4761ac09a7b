/**
 * ffmpeg `-progress` output: an incremental parser and a per-run tracker.
 *
 * ffmpeg writes blocks of `key=value` lines, each ending with `progress=continue` (or
 * `progress=end` for the last one), every `-stats_period` (default 0.5 s on builds without
 * the option). The `fps`, `bitrate` and `speed` it prints are averages since the start of the
 * run, useless for spotting a slowdown hours in, so the tracker derives its own rates from
 * the counters (`frame`, `total_size`, `out_time_us`) over a sliding window.
 */
import { LineBreaks } from './line-breaks.js';

export interface ProgressBlock {
  /** Frames of the first video stream so far; absent for audio-only outputs. */
  readonly frame?: number;
  /** Bytes written to the first output so far; absent while ffmpeg says N/A (e.g. `-f null`). */
  readonly totalSizeBytes?: number;
  /** Output media time in microseconds (from `out_time_us`, `out_time_ms` or `out_time`). */
  readonly outTimeUs?: number;
  readonly dropFrames?: number;
  readonly dupFrames?: number;
  /** ffmpeg's own average since start; informational only, see ProgressTracker. */
  readonly speed?: number;
  /** ffmpeg's own average since start, in bits/s; informational only. */
  readonly bitrate?: number;
  /** ffmpeg's own average since start; informational only. */
  readonly fps?: number;
  /** True for the block ending in `progress=end` (ffmpeg is finishing). */
  readonly ended: boolean;
  /** Every key of the block as printed (e.g. `stream_0_0_q`, `stream_1_0_q`), last value wins. */
  readonly values: Readonly<Record<string, string>>;
}

export interface ProgressParserOptions {
  /** Cap on a pending (unterminated) line, in characters; the excess line is dropped. Default 64 KiB. */
  readonly maxPendingChars?: number;
  /** Cap on distinct keys kept for one block besides the known ones, so garbage stays bounded. Default 256. */
  readonly maxKeysPerBlock?: number;
}

const KEY = /^[A-Za-z0-9_]{1,64}$/;
const MAX_VALUE_CHARS = 256;
/** Always kept, so junk keys filling the per-block cap cannot hide the counters. */
const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'frame',
  'fps',
  'bitrate',
  'total_size',
  'out_time_us',
  'out_time_ms',
  'out_time',
  'dup_frames',
  'drop_frames',
  'speed',
]);
const DECIMAL = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;
const CLOCK = /^(-?)(\d+):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const BITRATE = /^(\d+(?:\.\d+)?)\s*([kmg]?)bits\/s$/i;

/**
 * Incremental parser: feed it whatever the pipe delivers (chunks split anywhere, `\n` or
 * `\r\n`), get back the blocks completed by that chunk. Lines that are not `key=value` are
 * ignored. Memory is bounded by the two caps whatever is written.
 */
export class ProgressParser {
  private readonly maxPendingChars: number;
  private readonly maxKeysPerBlock: number;
  private pending = '';
  /** Dropping the rest of an over-long line until its end. */
  private discarding = false;
  private current = new Map<string, string>();

  constructor(options: ProgressParserOptions = {}) {
    this.maxPendingChars = options.maxPendingChars ?? 64 * 1024;
    this.maxKeysPerBlock = options.maxKeysPerBlock ?? 256;
  }

  feed(chunk: string): ProgressBlock[] {
    const blocks: ProgressBlock[] = [];
    const breaks = new LineBreaks(chunk);
    let start = 0;
    while (start < chunk.length) {
      const end = breaks.next(start);
      if (end < 0) {
        this.keepPending(chunk.slice(start, start + this.maxPendingChars + 1));
        break;
      }
      const piece = chunk.slice(start, end);
      start = end + 1;
      if (this.discarding) {
        this.discarding = false;
        this.pending = '';
        continue;
      }
      const line = this.pending === '' ? piece : this.pending + piece;
      this.pending = '';
      if (line.length > this.maxPendingChars) continue;
      const block = this.acceptLine(line);
      if (block !== undefined) blocks.push(block);
    }
    return blocks;
  }

  /** Characters held for an unterminated line (bounded by maxPendingChars). */
  get pendingChars(): number {
    return this.pending.length;
  }

  /** Keys collected for the block in progress (bounded by maxKeysPerBlock). */
  get pendingKeys(): number {
    return this.current.size;
  }

  private keepPending(rest: string): void {
    if (this.discarding) return;
    if (this.pending.length + rest.length > this.maxPendingChars) {
      this.pending = '';
      this.discarding = true;
      return;
    }
    this.pending += rest;
  }

  private acceptLine(line: string): ProgressBlock | undefined {
    const eq = line.indexOf('=');
    if (eq <= 0) return undefined;
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key)) return undefined;
    const value = line.slice(eq + 1).trim();
    if (key === 'progress') {
      const block = toBlock(this.current, value === 'end');
      this.current = new Map();
      return block;
    }
    if (KNOWN_KEYS.has(key) || this.current.size < this.maxKeysPerBlock || this.current.has(key)) {
      this.current.set(key, value.slice(0, MAX_VALUE_CHARS));
    }
    return undefined;
  }
}

/** Parses a complete progress text (e.g. a captured fixture) into its blocks. */
export function parseProgress(text: string): ProgressBlock[] {
  return new ProgressParser().feed(text.endsWith('\n') ? text : `${text}\n`);
}

function toBlock(values: ReadonlyMap<string, string>, ended: boolean): ProgressBlock {
  const get = (key: string): string | undefined => values.get(key);
  const outTimeUs = counter(get('out_time_us')) ?? counter(get('out_time_ms')) ?? clockToUs(get('out_time'));
  const block: {
    -readonly [K in keyof ProgressBlock]: ProgressBlock[K];
  } = { ended, values: Object.fromEntries(values) };
  assignDefined(block, 'frame', counter(get('frame')));
  assignDefined(block, 'totalSizeBytes', counter(get('total_size')));
  assignDefined(block, 'outTimeUs', outTimeUs);
  assignDefined(block, 'dropFrames', counter(get('drop_frames')));
  assignDefined(block, 'dupFrames', counter(get('dup_frames')));
  assignDefined(block, 'speed', counter(stripSuffix(get('speed'), 'x')));
  assignDefined(block, 'bitrate', bitrate(get('bitrate')));
  assignDefined(block, 'fps', counter(get('fps')));
  return block;
}

// Keeps absent fields absent rather than present-and-undefined, so blocks compare cleanly.
function assignDefined<K extends keyof ProgressBlock>(
  target: { -readonly [P in keyof ProgressBlock]: ProgressBlock[P] },
  key: K,
  value: ProgressBlock[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

function decimal(value: string | undefined): number | undefined {
  if (value === undefined || !DECIMAL.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Counters and rates are non-negative; ffmpeg prints huge negatives for "no timestamp yet". */
function counter(value: string | undefined): number | undefined {
  const n = decimal(value);
  return n !== undefined && n >= 0 ? n : undefined;
}

function stripSuffix(value: string | undefined, suffix: string): string | undefined {
  return value?.endsWith(suffix) ? value.slice(0, -suffix.length).trim() : value;
}

function bitrate(value: string | undefined): number | undefined {
  const match = value === undefined ? null : BITRATE.exec(value);
  if (match === null) return undefined;
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[(match[2] ?? '').toLowerCase()] ?? 1;
  return Number(match[1]) * scale;
}

function clockToUs(value: string | undefined): number | undefined {
  const match = value === undefined ? null : CLOCK.exec(value);
  if (match === null || match[1] === '-') return undefined;
  const fraction = (match[5] ?? '').padEnd(6, '0').slice(0, 6);
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
  return seconds * 1_000_000 + Number(fraction);
}

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
  readonly snapshot: ProgressSnapshot;
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
    return { advanced, snapshot: this.snapshot() };
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
