/**
 * The `ffprobe` check: open a URL (usually the published output) with
 * `ffprobe -v error -show_streams -of json`, and expect video and / or audio streams.
 *
 * Two timeouts: ffprobe's own `-rw_timeout` (default 80 % of the hard timeout) lets it fail
 * cleanly with its own message on a silent server; the hard timeout SIGKILLs its whole process
 * group whatever it is doing and reports `timed out after N s`. (`-timeout` is deliberately not
 * used: for rtmp:// it means "listen".)
 *
 * Live RTMP is probed with `-fpsprobesize 0 -analyzeduration 3000000` (see `fastProbeOptions`):
 * with ffprobe's defaults a healthy probe of a live stream took 2 s (keyframe every 1–2 s) to
 * 5 s (every 5 s), reading on to estimate frame rates we never report, so at the seed's 3 s
 * interval beats were skipped. Without the frame-rate estimate ffprobe stops as soon as every
 * stream has its parameters (the first keyframe: ~1 s), and reads at most 3 s of stream. A stream
 * whose keyframes are further apart than that may not show its video in 3 s (the server holds
 * video back until a keyframe; audio is never held), so a fast probe that misses an expected
 * video stream is repeated at once with ffprobe's own budget, and when that one
 * passes the probe keeps the full budget for its next `FULL_BUDGET_RUNS` runs (then tries fast
 * again): no false failure, and only the old speed for such streams.
 */
import { defaultRedactor, type Redactor } from '../../domain/redact.js';
import type { Clock } from '../../ports/clock.js';
import type { HealthProbe, ProbeResult } from '../../ports/health-probe.js';
import type { ParseOutcome } from '../rtmp/options.js';
import { asNumber, asRecord, asRecords, asText, parseJson } from '../../domain/untrusted.js';
import { Deadline, guardedRun, lastLine, commandFailure, type ProbeCommonOptions, type ProbeOutcome } from './probe-support.js';
import { runProcess } from './run-process.js';

export interface StreamExpectation {
  /** true: a video stream must be present; false: must be absent; undefined: not checked. */
  readonly video?: boolean;
  readonly audio?: boolean;
}

export interface FfprobeProbeOptions extends ProbeCommonOptions {
  readonly ffprobePath: string;
  readonly url: string;
  readonly expect: StreamExpectation;
  /** ffprobe's own I/O timeout; 0 disables it. Default 80 % of `timeoutMs`. */
  readonly rwTimeoutMs?: number;
  /** Extra input options placed before the URL (e.g. `-rtsp_transport tcp`). */
  readonly inputOptions?: readonly string[];
}

export interface ProbedStream {
  readonly index: number;
  /** `video`, `audio`, `subtitle`, `data`, … */
  readonly type: string;
  readonly codec?: string;
  readonly width?: number;
  readonly height?: number;
  readonly sampleRate?: number;
  readonly channels?: number;
}

/** A live RTMP probe: no frame-rate estimate, at most 3 s of stream. */
export const FAST_RTMP_PROBE_OPTIONS: readonly string[] = ['-fpsprobesize', '0', '-analyzeduration', '3000000'];
const BUDGET_OPTIONS = new Set(['-probesize', '-analyzeduration', '-fpsprobesize']);
/** Runs with ffprobe's own budget after a fast probe missed a stream that a full one found. */
export const FULL_BUDGET_RUNS = 20;

/**
 * The fast probe budget for rtmp:// (rtmps, rtmpt, …) URLs, unless the user's own input options
 * already set `-probesize`, `-analyzeduration` or `-fpsprobesize` (theirs win); nothing for other URLs.
 */
export function fastProbeOptions(url: string, inputOptions: readonly string[] = []): readonly string[] {
  if (!/^rtmp[a-z]*:\/\//i.test(url)) return [];
  if (inputOptions.some((option) => BUDGET_OPTIONS.has(option))) return [];
  return FAST_RTMP_PROBE_OPTIONS;
}

export function ffprobeArgs(url: string, rwTimeoutMs: number, inputOptions: readonly string[] = [], fast = true): string[] {
  return [
    '-hide_banner',
    '-v',
    'error',
    ...(rwTimeoutMs > 0 ? ['-rw_timeout', String(Math.round(rwTimeoutMs * 1000))] : []),
    ...(fast ? fastProbeOptions(url, inputOptions) : []),
    ...inputOptions,
    '-show_streams',
    '-of',
    'json',
    url,
  ];
}

/** The streams of `ffprobe -show_streams -of json` output. */
export function parseFfprobeStreams(stdout: string): ParseOutcome<ProbedStream[]> {
  const parsed = parseJson(stdout);
  if (!parsed.ok) return { ok: false, reason: `ffprobe output is not JSON (${parsed.error})` };
  const root = asRecord(parsed.value);
  if (root === undefined) return { ok: false, reason: 'ffprobe output is not a JSON object' };
  const streams: ProbedStream[] = [];
  for (const stream of asRecords(root['streams'])) {
    const type = asText(stream['codec_type']);
    if (type === undefined) continue;
    const codec = asText(stream['codec_name']);
    const width = asNumber(stream['width']);
    const height = asNumber(stream['height']);
    const sampleRate = asNumber(stream['sample_rate']);
    const channels = asNumber(stream['channels']);
    streams.push({
      index: asNumber(stream['index']) ?? streams.length,
      type,
      ...(codec !== undefined && { codec }),
      ...(width !== undefined && { width }),
      ...(height !== undefined && { height }),
      ...(sampleRate !== undefined && { sampleRate }),
      ...(channels !== undefined && { channels }),
    });
  }
  return { ok: true, value: streams };
}

export function describeStream(stream: ProbedStream): string {
  const parts = [stream.type, stream.codec ?? '?'];
  if (stream.type === 'video' && stream.width !== undefined && stream.height !== undefined) {
    parts.push(`${stream.width}x${stream.height}`);
  }
  if (stream.type === 'audio' && stream.sampleRate !== undefined) parts.push(`${stream.sampleRate} Hz`);
  return parts.join(' ');
}

/** Checks the expectation; with none, any stream at all is enough. */
export function evaluateStreams(streams: readonly ProbedStream[], expect: StreamExpectation): { ok: boolean; message: string } {
  const found = streams.length === 0 ? 'no streams' : streams.map(describeStream).join(', ');
  const problems: string[] = [];
  for (const kind of ['video', 'audio'] as const) {
    const wanted = expect[kind];
    const present = streams.some((s) => s.type === kind);
    if (wanted === true && !present) problems.push(`no ${kind} stream`);
    if (wanted === false && present) problems.push(`unexpected ${kind} stream`);
  }
  if (expect.video === undefined && expect.audio === undefined && streams.length === 0) problems.push('no streams');
  return problems.length === 0 ? { ok: true, message: found } : { ok: false, message: `${problems.join(', ')} (found: ${found})` };
}

/** ffprobe ran and read the stream, but no video stream though one is expected. */
function missedVideo(outcome: ProbeOutcome, expect: StreamExpectation): boolean {
  const streams = outcome.details?.['streams'];
  return expect.video === true && Array.isArray(streams) && !streams.some((stream: ProbedStream) => stream.type === 'video');
}

export class FfprobeProbe implements HealthProbe {
  readonly kind = 'ffprobe';
  private readonly redact: Redactor;
  private readonly clock: Clock;
  /** Runs left with the full budget (see FULL_BUDGET_RUNS). */
  private fullRunsLeft = 0;

  constructor(private readonly options: FfprobeProbeOptions) {
    this.redact = options.redact ?? defaultRedactor;
    this.clock = options.clock;
  }

  run(signal: AbortSignal): Promise<ProbeResult> {
    return guardedRun(this.clock, this.redact, async () => {
      const { timeoutMs, url, inputOptions } = this.options;
      const deadline = new Deadline(signal, timeoutMs);
      try {
        const fast = this.fullRunsLeft === 0 && fastProbeOptions(url, inputOptions).length > 0;
        if (this.fullRunsLeft > 0) this.fullRunsLeft -= 1;
        const first = await this.probeOnce(deadline, fast);
        if (!fast || first.ok || !missedVideo(first, this.options.expect) || deadline.signal.aborted) return first;
        // ffprobe answered without the expected video: perhaps only not seen yet (long GOP).
        const full = await this.probeOnce(deadline, false);
        if (full.ok) this.fullRunsLeft = FULL_BUDGET_RUNS;
        // A full probe cut short by the deadline says less than the fast one that ran to the end.
        return full.ok || full.details?.['streams'] !== undefined ? full : first;
      } finally {
        deadline.dispose();
      }
    });
  }

  /** Probes with the full budget for now: a fast probe missed a stream that a full one found. */
  get usesFullBudget(): boolean {
    return this.fullRunsLeft > 0;
  }

  private async probeOnce(deadline: Deadline, fast: boolean): Promise<ProbeOutcome> {
    const { timeoutMs } = this.options;
    const rwTimeoutMs = this.options.rwTimeoutMs ?? Math.max(500, Math.round(timeoutMs * 0.8));
    const result = await runProcess({
      command: this.options.ffprobePath,
      args: ffprobeArgs(this.options.url, rwTimeoutMs, this.options.inputOptions, fast),
      timeoutMs,
      signal: deadline.signal,
      maxStderrChars: 16 * 1024,
    });
    const failed = commandFailure('ffprobe', this.options.ffprobePath, result, { timeoutMs, deadline, lastError: () => lastLine(result.stderr) });
    if (failed) return failed;
    const details = { pid: result.pid };
    const streams = parseFfprobeStreams(result.stdout);
    if (!streams.ok) return { ok: false, message: streams.reason, details };
    const verdict = evaluateStreams(streams.value, this.options.expect);
    return { ...verdict, details: { ...details, streams: streams.value } };
  }
}
