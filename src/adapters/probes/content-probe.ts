/**
 * The `content` check: analyse a sample of the output with ffmpeg for `durationMs`
 * (`-vf blackdetect,freezedetect -af silencedetect -f null -`) and report a stream that is
 * black, frozen or silent for most of the sample (`coverage`, default 80 %).
 *
 * Playing a live stream starts at a keyframe, so the first video frame may come a second or
 * two into the sample. A span that starts within that lead-in (`leadInMs`, default 2 s, at most
 * a quarter of the sample) is measured against the sample from its start, not from 0: a stream
 * that is black from its first frame is black however late that frame came.
 *
 * Only the first video and first audio stream are decoded, and only when a detector needs
 * them. A detector whose stream kind is missing is skipped with a note (the ffprobe check is
 * the one that demands streams). The hard timeout kills ffmpeg's whole process group.
 */
import { defaultRedactor, type Redactor } from '../../domain/redact.js';
import type { Clock } from '../../ports/clock.js';
import type { HealthProbe, ProbeResult } from '../../ports/health-probe.js';
import { DetectLog, lastProgressSeconds, type DetectKind } from './content-detect.js';
import { Deadline, formatSeconds, guardedRun, commandFailure, type ProbeCommonOptions } from './probe-support.js';
import { runProcess } from './run-process.js';

export interface ContentProbeOptions extends ProbeCommonOptions {
  readonly ffmpegPath: string;
  readonly url: string;
  /** Length of the analysed sample; must be shorter than `timeoutMs`. */
  readonly durationMs: number;
  readonly black: boolean;
  readonly freeze: boolean;
  readonly silence: boolean;
  /** Fraction of the sample a condition must cover to be reported. Default 0.8. */
  readonly coverage?: number;
  /** How late into the sample the first frame may come (see above). Default 2 s. */
  readonly leadInMs?: number;
  /** The shortest span each detector reports (`d=`). Default min(2 s, duration / 4). */
  readonly minSpanMs?: number;
  /** silencedetect noise floor. Default -50 dB. */
  readonly silenceNoiseDb?: number;
  /** freezedetect noise tolerance. Default -60 dB. */
  readonly freezeNoiseDb?: number;
  /** blackdetect: a pixel is black below this luminance ratio. Default 0.10. */
  readonly blackPixelThreshold?: number;
  /** ffmpeg's own I/O timeout; 0 disables. Default from the time left after the sample. */
  readonly rwTimeoutMs?: number;
  /** Extra input options placed before `-i`. */
  readonly inputOptions?: readonly string[];
}

const LABEL: Readonly<Record<DetectKind, string>> = { black: 'black', freeze: 'frozen', silence: 'silent' };

function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)));
}

export function contentArgs(options: ContentProbeOptions, rwTimeoutMs: number): string[] {
  const minSpanMs = options.minSpanMs ?? Math.min(2_000, options.durationMs / 4);
  const d = seconds(minSpanMs);
  const video: string[] = [];
  if (options.black) video.push(`blackdetect=d=${d}:pix_th=${options.blackPixelThreshold ?? 0.1}`);
  if (options.freeze) video.push(`freezedetect=n=${options.freezeNoiseDb ?? -60}dB:d=${d}`);
  const audio = options.silence ? [`silencedetect=n=${options.silenceNoiseDb ?? -50}dB:d=${d}`] : [];
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'info',
    ...(rwTimeoutMs > 0 ? ['-rw_timeout', String(Math.round(rwTimeoutMs * 1000))] : []),
    ...(options.inputOptions ?? []),
    '-i',
    options.url,
    '-t',
    seconds(options.durationMs),
    ...(video.length > 0 ? ['-map', '0:v:0?', '-vf', video.join(',')] : []),
    ...(audio.length > 0 ? ['-map', '0:a:0?', '-af', audio.join(',')] : []),
    '-sn',
    '-dn',
    '-progress',
    'pipe:1',
    '-f',
    'null',
    '-',
  ];
}

export interface ContentVerdict {
  readonly ok: boolean;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** Judges a finished analysis: what covered most of the sample, and what could not be checked. */
export function judgeContent(
  log: DetectLog,
  sampleSeconds: number,
  requestedSeconds: number,
  options: Pick<ContentProbeOptions, 'black' | 'freeze' | 'silence' | 'coverage' | 'leadInMs'>,
): ContentVerdict {
  const coverage = options.coverage ?? 0.8;
  const allowance = Math.min((options.leadInMs ?? 2_000) / 1000, sampleSeconds / 4);
  const problems: string[] = [];
  const notes: string[] = [];
  const covered: Partial<Record<DetectKind, number>> = {};
  const wanted: [DetectKind, boolean, boolean][] = [
    ['black', options.black, log.hasVideo],
    ['freeze', options.freeze, log.hasVideo],
    ['silence', options.silence, log.hasAudio],
  ];
  for (const [kind, enabled, present] of wanted) {
    if (!enabled) continue;
    if (!present) {
      notes.push(`no ${kind === 'silence' ? 'audio' : 'video'} stream, ${kind} not checked`);
      continue;
    }
    const span = log.coveredSeconds(kind, sampleSeconds);
    covered[kind] = span;
    const firstStart = Math.min(...log.spansOf(kind).map((s) => s.start));
    const leadIn = firstStart > 0 && firstStart <= allowance ? firstStart : 0;
    const judged = sampleSeconds - leadIn;
    if (judged > 0 && span / judged >= coverage) {
      problems.push(`${LABEL[kind]} for ${formatSeconds(span * 1000)} of ${formatSeconds(judged * 1000)}`);
    }
  }
  const details = {
    sampleSeconds,
    requestedSeconds,
    video: log.hasVideo,
    audio: log.hasAudio,
    ...(covered.black !== undefined && { blackSeconds: covered.black }),
    ...(covered.freeze !== undefined && { frozenSeconds: covered.freeze }),
    ...(covered.silence !== undefined && { silentSeconds: covered.silence }),
  };
  const noteText = notes.length === 0 ? '' : ` (${notes.join('; ')})`;
  if (problems.length > 0) return { ok: false, message: `${problems.join(', ')}${noteText}`, details };
  return { ok: true, message: `content ok over ${formatSeconds(sampleSeconds * 1000)}${noteText}`, details };
}

export class ContentProbe implements HealthProbe {
  readonly kind = 'content';
  private readonly redact: Redactor;
  private readonly clock: Clock;

  constructor(private readonly options: ContentProbeOptions) {
    if (!(options.timeoutMs > options.durationMs)) throw new RangeError('content probe: timeoutMs must be longer than durationMs');
    this.redact = options.redact ?? defaultRedactor;
    this.clock = options.clock;
  }

  run(signal: AbortSignal): Promise<ProbeResult> {
    return guardedRun(this.clock, this.redact, async () => {
      const { timeoutMs, durationMs } = this.options;
      const rwTimeoutMs = this.options.rwTimeoutMs ?? Math.min(10_000, Math.max(1_000, Math.round((timeoutMs - durationMs) * 0.8)));
      const deadline = new Deadline(signal, timeoutMs);
      const log = new DetectLog();
      try {
        const result = await runProcess({
          command: this.options.ffmpegPath,
          args: contentArgs(this.options, rwTimeoutMs),
          timeoutMs,
          signal: deadline.signal,
          onStderrLine: (line) => log.feed(line),
        });
        const failed = commandFailure('ffmpeg', this.options.ffmpegPath, result, { timeoutMs, deadline, lastError: () => log.lastErrorLine });
        if (failed) return failed;
        const details = { pid: result.pid };
        const requested = durationMs / 1000;
        const sample = lastProgressSeconds(result.stdout) ?? log.statsTimeSeconds ?? 0;
        if (sample < requested * 0.5) {
          return {
            ok: false,
            message: `the sample ended after ${formatSeconds(sample * 1000)} of ${formatSeconds(durationMs)} (did the stream stop?)`,
            details: { ...details, sampleSeconds: sample, requestedSeconds: requested },
          };
        }
        const verdict = judgeContent(log, Math.min(sample, requested), requested, this.options);
        return { ...verdict, details: { ...details, ...verdict.details } };
      } finally {
        deadline.dispose();
      }
    });
  }
}
