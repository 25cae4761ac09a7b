/**
 * ffmpeg `-progress` output: an incremental parser of its key=value blocks (the per-run tracker
 * is in progress-tracker.ts).
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
  readonly values: ReadonlyMap<string, string>;
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
  } = { ended, values };
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
