/**
 * Parsing ffmpeg's `blackdetect`, `freezedetect` and `silencedetect` log lines (level info) into
 * time spans, and measuring how much of a sample they cover. Pure.
 *
 *   [blackdetect @ 0x…] black_start:0.548 black_end:5.028 black_duration:4.48
 *   [freezedetect @ 0x…] lavfi.freezedetect.freeze_start: 0.548
 *   [freezedetect @ 0x…] lavfi.freezedetect.freeze_duration: 3
 *   [freezedetect @ 0x…] lavfi.freezedetect.freeze_end: 3
 *   [silencedetect @ 0x…] silence_start: 0.000544218
 *   [silencedetect @ 0x…] silence_end: 5.08567 | silence_duration: 5.08512
 *
 * blackdetect reports a span when it ends, and at the end of the input; silencedetect (5.x)
 * closes an open span at the end; freezedetect does not — a start without an end lasts until
 * the end of the sample. Timestamps are the output's, starting near 0.
 */

export type DetectKind = 'black' | 'freeze' | 'silence';

export interface Span {
  readonly start: number;
  /** Undefined while open (until the end of the sample). */
  readonly end?: number;
}

const NUM = '(-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)';
const BLACK = new RegExp(`black_start:\\s*${NUM}(?:\\s+black_end:\\s*${NUM})?`, 'i');
const FREEZE_START = new RegExp(`freezedetect\\.freeze_start:\\s*${NUM}`, 'i');
const FREEZE_END = new RegExp(`freezedetect\\.freeze_end:\\s*${NUM}`, 'i');
const SILENCE_START = new RegExp(`silence_start:\\s*${NUM}`, 'i');
const SILENCE_END = new RegExp(`silence_end:\\s*${NUM}`, 'i');
const STREAM_LINE = /^\s*Stream #\d+:\d+.*?: (Video|Audio):/;
const STATS_TIME = /\btime=\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;
/** ffmpeg's own status lines, not errors. */
const NOT_AN_ERROR = /^(?:frame=|size=|video:|\[(?:black|freeze|silence)detect|Press \[q\]|Stream mapping|\s)/;

/** Bounds memory whatever ffmpeg prints. */
const MAX_SPANS = 1_000;

export class DetectLog {
  private readonly spans: Record<DetectKind, Span[]> = { black: [], freeze: [], silence: [] };
  private readonly open: Partial<Record<DetectKind, number>> = {};
  hasVideo = false;
  hasAudio = false;
  /** The last `time=` of ffmpeg's stats line, seconds. */
  statsTimeSeconds: number | undefined;
  /** The last line that looked like an error (for a failed run). */
  lastErrorLine = '';

  feed(line: string): void {
    const stream = STREAM_LINE.exec(line);
    if (stream !== null) {
      if (stream[1] === 'Video') this.hasVideo = true;
      else this.hasAudio = true;
      return;
    }
    let match = BLACK.exec(line);
    if (match !== null) {
      const start = Number(match[1]);
      if (match[2] === undefined) this.start('black', start);
      else this.add('black', { start, end: Number(match[2]) });
      return;
    }
    if ((match = FREEZE_START.exec(line)) !== null) return this.start('freeze', Number(match[1]));
    if ((match = FREEZE_END.exec(line)) !== null) return this.end('freeze', Number(match[1]));
    if ((match = SILENCE_START.exec(line)) !== null) return this.start('silence', Number(match[1]));
    if ((match = SILENCE_END.exec(line)) !== null) return this.end('silence', Number(match[1]));
    const time = STATS_TIME.exec(line);
    if (time !== null && /^(?:frame|size)=/.test(line.trim())) {
      this.statsTimeSeconds = Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3]);
      return;
    }
    const trimmed = line.trim();
    if (trimmed !== '' && !NOT_AN_ERROR.test(line)) this.lastErrorLine = trimmed.slice(0, 300);
  }

  /** Spans of one kind, open ones included (`end` undefined). */
  spansOf(kind: DetectKind): Span[] {
    const open = this.open[kind];
    return open === undefined ? [...this.spans[kind]] : [...this.spans[kind], { start: open }];
  }

  /** Seconds of [0, sampleSeconds] covered by spans of `kind` (overlaps counted once). */
  coveredSeconds(kind: DetectKind, sampleSeconds: number): number {
    return coveredSeconds(this.spansOf(kind), sampleSeconds);
  }

  private start(kind: DetectKind, at: number): void {
    if (!Number.isFinite(at)) return;
    this.open[kind] ??= at;
  }

  private end(kind: DetectKind, at: number): void {
    const start = this.open[kind];
    delete this.open[kind];
    if (start === undefined || !Number.isFinite(at)) return;
    this.add(kind, { start, end: at });
  }

  private add(kind: DetectKind, span: Span): void {
    const list = this.spans[kind];
    if (list.length >= MAX_SPANS) list.shift();
    list.push(span);
  }
}

/** Total length of the spans clipped to [0, sampleSeconds]; open spans end at sampleSeconds. */
export function coveredSeconds(spans: readonly Span[], sampleSeconds: number): number {
  const clipped = spans
    .map((span) => ({
      start: Math.max(0, Math.min(span.start, sampleSeconds)),
      end: Math.max(0, Math.min(span.end ?? sampleSeconds, sampleSeconds)),
    }))
    .filter((span) => span.end > span.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let reach = 0;
  for (const span of clipped) {
    const from = Math.max(span.start, reach);
    if (span.end > from) total += span.end - from;
    reach = Math.max(reach, span.end);
  }
  return total;
}

/** The last `out_time_us` (or the misnamed `out_time_ms`, also µs) of `-progress` output, seconds. */
export function lastProgressSeconds(progress: string): number | undefined {
  let last: number | undefined;
  for (const match of progress.matchAll(/^out_time_(?:us|ms)=(-?\d+)\s*$/gm)) {
    const us = Number(match[1]);
    if (Number.isFinite(us) && us >= 0) last = us / 1_000_000;
  }
  return last;
}
