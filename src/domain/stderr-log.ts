/**
 * Bounded collector for one run's ffmpeg stderr. We never throw stderr away (it holds the only
 * explanation of a failure) but ffmpeg can print without end, so: lines are capped in length,
 * only the first N and the last M lines are kept, and the last error line is remembered
 * separately. Every stored line has been through the redactor.
 */
import { LineBreaks } from './line-breaks.js';

export interface StderrLine {
  /** 1-based position in the run, counting every non-blank line seen (stored or not). */
  readonly seq: number;
  readonly text: string;
  /** The line was longer than the cap; the rest was dropped. */
  readonly truncated: boolean;
}

export interface StderrLogOptions {
  /** Lines kept from the start of the run (banner, input/output description). Default 20. */
  readonly firstLines?: number;
  /** Lines kept from the end of the run, in a ring. Default 200. */
  readonly lastLines?: number;
  /** Characters kept per line. Default 2,000. */
  readonly maxLineLength?: number;
}

export interface StderrSnapshot {
  readonly first: readonly StderrLine[];
  readonly last: readonly StderrLine[];
  readonly lastError?: StderrLine;
  readonly lineCount: number;
  readonly truncatedLines: number;
}

// ffmpeg's wording for failures; `\b` keeps "errors" (decoder concealment notes) and
// "max_error_rate" out.
const ERROR_LINE =
  /\b(?:error|failed|invalid)\b|No such file or directory|Connection (?:refused|timed out|reset by peer)|Broken pipe|Already publishing|Server returned [45](?:\d\d|XX)|Conversion failed!|Unrecognized option|Unknown (?:encoder|decoder)|Permission denied/i;
// Summaries ffmpeg prints after the real cause; they only win when no specific error is near.
const GENERIC_ERROR =
  /^(?:\[[^\]]*\]\s*)?(?:Conversion failed!|Error opening (?:input|output) files?\b|Error splitting the argument list\b|Error initializing output stream\b|Error while opening encoder\b)/;
/** How many lines back a specific error still beats a generic summary. */
const SPECIFIC_ERROR_REACH = 10;
/** Extra characters redacted past the cap, so a secret cut by truncation is still masked. */
const REDACTION_MARGIN = 256;

export class StderrLog {
  private readonly maxFirst: number;
  private readonly maxLast: number;
  private readonly maxLineLength: number;
  private readonly capacity: number;
  private readonly first: StderrLine[] = [];
  private readonly ring: (StderrLine | undefined)[];
  private ringNext = 0;
  private ringSize = 0;
  private pending = '';
  private pendingTruncated = false;
  private seq = 0;
  private truncatedLines = 0;
  private lastErrorLine: StderrLine | undefined;
  private lastErrorGeneric = false;

  constructor(
    private readonly redact: (text: string) => string,
    options: StderrLogOptions = {},
  ) {
    this.maxFirst = Math.max(0, options.firstLines ?? 20);
    this.maxLast = Math.max(1, options.lastLines ?? 200);
    this.maxLineLength = Math.max(1, options.maxLineLength ?? 2_000);
    this.capacity = this.maxLineLength + REDACTION_MARGIN;
    this.ring = new Array<StderrLine | undefined>(this.maxLast).fill(undefined);
  }

  /** Accepts any chunk; `\r` and `\n` both end a line (ffmpeg redraws its status with `\r`). */
  push(chunk: string): void {
    const breaks = new LineBreaks(chunk);
    let start = 0;
    while (start < chunk.length) {
      const end = breaks.next(start);
      const stop = end < 0 ? chunk.length : end;
      this.append(chunk, start, stop);
      if (end < 0) return;
      this.completeLine();
      start = end + 1;
    }
  }

  /** Stores a last unterminated line; call when the process has exited (stdio closed). */
  end(): void {
    this.completeLine();
  }

  get lineCount(): number {
    return this.seq;
  }

  /** The kept lines with their positions and truncation flags. */
  snapshot(): StderrSnapshot {
    const base = { first: [...this.first], last: this.ringLines(), lineCount: this.seq, truncatedLines: this.truncatedLines };
    return this.lastErrorLine === undefined ? base : { ...base, lastError: this.lastErrorLine };
  }

  /** Texts of the first lines of the run; a truncated line ends with `…`. */
  firstLines(): string[] {
    return this.first.map(display);
  }

  /** Texts of the last lines of the run, oldest first; a truncated line ends with `…`. */
  lastLines(): string[] {
    return this.ringLines().map(display);
  }

  /** The line that best explains a failure, if any line looked like an error. */
  lastError(): string | undefined {
    return this.lastErrorLine === undefined ? undefined : display(this.lastErrorLine);
  }

  private ringLines(): StderrLine[] {
    const out: StderrLine[] = [];
    const start = (this.ringNext - this.ringSize + this.maxLast) % this.maxLast;
    for (let i = 0; i < this.ringSize; i++) {
      const line = this.ring[(start + i) % this.maxLast];
      if (line !== undefined) out.push(line);
    }
    return out;
  }

  /** Characters held (lines, pending text, last error): bounded whatever was fed. */
  retainedChars(): number {
    let total = this.pending.length + (this.lastErrorLine?.text.length ?? 0);
    for (const line of this.first) total += line.text.length;
    for (const line of this.ring) total += line?.text.length ?? 0;
    return total;
  }

  private append(chunk: string, from: number, to: number): void {
    const room = this.capacity - this.pending.length;
    if (to - from > room) {
      this.pendingTruncated = true;
      to = from + room;
    }
    if (to > from) this.pending += chunk.slice(from, to);
  }

  private completeLine(): void {
    const raw = this.pending;
    let truncated = this.pendingTruncated;
    this.pending = '';
    this.pendingTruncated = false;
    if (!truncated && raw.trim() === '') return;

    this.seq += 1;
    let text = this.redact(raw);
    if (text.length > this.maxLineLength) {
      truncated = true;
      text = cutAt(text, this.maxLineLength);
    }
    if (truncated) this.truncatedLines += 1;
    const line: StderrLine = { seq: this.seq, text, truncated };
    if (this.first.length < this.maxFirst) this.first.push(line);
    this.ring[this.ringNext] = line;
    this.ringNext = (this.ringNext + 1) % this.maxLast;
    this.ringSize = Math.min(this.ringSize + 1, this.maxLast);
    this.noteError(line);
  }

  private noteError(line: StderrLine): void {
    if (!ERROR_LINE.test(line.text)) return;
    const generic = GENERIC_ERROR.test(line.text);
    if (
      !generic ||
      this.lastErrorLine === undefined ||
      this.lastErrorGeneric ||
      line.seq - this.lastErrorLine.seq > SPECIFIC_ERROR_REACH
    ) {
      this.lastErrorLine = line;
      this.lastErrorGeneric = generic;
    }
  }
}

function display(line: StderrLine): string {
  return line.truncated ? `${line.text}…` : line.text;
}

/** Cuts without splitting a surrogate pair, so the stored text stays valid UTF-16. */
function cutAt(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
