/**
 * Where a failure is: the input (the source cannot be read), the encoder (ffmpeg's own
 * decode / filter / encode work, or the process itself), or the output (the server refuses or
 * drops our publish). Decides which remedy makes sense: a next input does not fix a refused
 * output, a dropped publisher does not fix a dead source.
 *
 * Evidence, strongest first:
 * 1. ffmpeg's last error line (then the run's recent lines): its own markers (`in#0`, `out#0`, "Error opening output",
 *    "Already publishing", "Broken pipe", "Error while decoding"), then the URL it names compared
 *    with the stream's redacted inputs and output, then the protocol it comes from;
 * 2. the RTMP server's view: our stream is not published there → output;
 * 3. the failing checks: rtmp-server → output, ffprobe → the side of its URL (output when it
 *    names neither), content (black / frozen / silent) → input, process → encoder;
 * 4. the degradation rules: bitrate collapse → input, speed or fps → encoder;
 * 5. how the run ended: killed by a signal we did not send → encoder (crash, OOM).
 * A log line whose side stays unclear still gives the cause: "Server returned 4xx" is taken as
 * the output (the rule) and "Conversion failed!" as the encoder, only at the end.
 */
import type { ExitReason } from '../lifecycle.js';
import type { CheckType } from '../stream-spec.js';
import type { DegradationRule } from './degradation.js';
import { sideByProtocol, sideByUrl, type Endpoints } from './endpoint-match.js';

export type FailureLocus = 'input' | 'encoder' | 'output' | 'unknown';

/** A fixed list, usable as a metric label. */
export type FailureCause =
  | 'already-publishing'
  | 'broken-pipe'
  | 'decode-error'
  | 'encoder-error'
  | 'connection-refused'
  | 'connection-reset'
  | 'timeout'
  | 'dns'
  | 'http-4xx'
  | 'http-5xx'
  | 'not-found'
  | 'permission-denied'
  | 'invalid-data'
  | 'io-error'
  | 'conversion-failed'
  | 'not-published'
  | 'check-failed'
  | 'degraded'
  | 'crashed'
  | 'exited'
  | 'stalled'
  | 'start-timeout'
  | 'unknown';

/** Patterns in the order they are tried; the first match names the cause. */
const CAUSES: readonly (readonly [FailureCause, RegExp])[] = [
  ['already-publishing', /already publishing/i],
  ['broken-pipe', /broken pipe/i],
  ['decode-error', /Error while decoding|Error (?:decoding|submitting packet to decoder)|Unknown decoder/i],
  [
    'encoder-error',
    /Error while (?:opening|initializing) (?:the )?encoder|Error initializing output stream|Error (?:encoding|submitting (?:a )?(?:video |audio )?frame to the encoder)|Unknown encoder|Encoder \S* ?not found|Could not open encoder|Error (?:initializing|reinitializing|while) filter/i,
  ],
  ['connection-refused', /connection refused/i],
  ['connection-reset', /connection reset/i],
  ['timeout', /timed out|\btimeout\b/i],
  ['dns', /name or service not known|failed to resolve|name resolution|no address associated/i],
  ['http-4xx', /(?:server returned|http error) 4(?:\d\d|XX)/i],
  ['http-5xx', /(?:server returned|http error) 5(?:\d\d|XX)/i],
  ['not-found', /no such file or directory/i],
  ['permission-denied', /permission denied|operation not permitted/i],
  ['invalid-data', /invalid data found when processing input|could not find codec parameters|does not contain any stream/i],
  ['io-error', /input\/output error|I\/O error/i],
  ['conversion-failed', /Conversion failed/i],
];

const ENCODER_CAUSES: ReadonlySet<FailureCause> = new Set(['decode-error', 'encoder-error']);
const OUTPUT_MARKERS = /\bout#\d|Error opening output|Could not write header|Error writing trailer|av_interleaved_write_frame|Error muxing/i;
const INPUT_MARKERS = /\bin#\d|Error opening input|Error during demuxing|Invalid data found when processing input|could not find codec parameters|does not contain any stream/i;

export interface LineClassification {
  readonly locus: FailureLocus;
  readonly cause: FailureCause;
}

/** Classifies one (redacted) ffmpeg error line against the stream's (redacted) endpoints. */
export function classifyErrorLine(line: string, endpoints: Endpoints): LineClassification {
  const cause = CAUSES.find(([, pattern]) => pattern.test(line))?.[0] ?? 'unknown';
  if (cause === 'already-publishing' || cause === 'broken-pipe' || OUTPUT_MARKERS.test(line)) return { locus: 'output', cause };
  if (ENCODER_CAUSES.has(cause)) return { locus: 'encoder', cause };
  if (INPUT_MARKERS.test(line)) return { locus: 'input', cause };
  const side = sideByUrl(line, endpoints) ?? sideByProtocol(line, endpoints);
  if (side !== undefined) return { locus: side, cause };
  if (cause === 'http-4xx') return { locus: 'output', cause };
  if (cause === 'conversion-failed') return { locus: 'encoder', cause };
  return { locus: 'unknown', cause };
}

export interface FailedCheckEvidence {
  readonly type: CheckType;
  readonly name: string;
  readonly message?: string;
  /** The URL it probes (ffprobe, http), redacted. */
  readonly url?: string;
}

export interface FailureEvidence {
  readonly endpoints: Endpoints;
  /** ffmpeg's last error line, redacted. */
  readonly lastError?: string;
  /**
   * The run's last lines, oldest first, redacted. Searched after `lastError`, and for "Already
   * publishing", which ffmpeg follows with a vaguer line ("Operation not permitted").
   */
  readonly recentLines?: readonly string[];
  /** How the run ended, when it did. */
  readonly exit?: { readonly reason: ExitReason; readonly signal?: string | null };
  readonly failedChecks?: readonly FailedCheckEvidence[];
  readonly degradation?: readonly DegradationRule[];
  /** What the RTMP server says about our stream. */
  readonly rtmpServer?: { readonly publishing: boolean };
}

export interface FailureClassification {
  readonly locus: FailureLocus;
  readonly cause: FailureCause;
  /** What the verdict rests on: the log line, a check's name and message, etc. */
  readonly detail: string;
  readonly evidence: 'log' | 'rtmp-server' | 'check' | 'degradation' | 'exit' | 'none';
}

export function classifyFailure(evidence: FailureEvidence): FailureClassification {
  const lines = [...(evidence.lastError === undefined ? [] : [evidence.lastError]), ...[...(evidence.recentLines ?? [])].reverse()];
  const classified = lines.map((line) => ({ ...classifyErrorLine(line, evidence.endpoints), detail: line, evidence: 'log' as const }));
  const fromLog =
    classified.find((c) => c.cause === 'already-publishing') ??
    classified.find((c) => c.locus !== 'unknown') ??
    classified.find((c) => c.cause !== 'unknown');
  if (fromLog !== undefined && fromLog.locus !== 'unknown') return fromLog;

  if (evidence.rtmpServer?.publishing === false) {
    return { locus: 'output', cause: 'not-published', detail: 'the RTMP server does not list our stream as publishing', evidence: 'rtmp-server' };
  }
  for (const check of evidence.failedChecks ?? []) {
    const locus = checkLocus(check, evidence.endpoints);
    if (locus === 'unknown') continue;
    return { locus, cause: 'check-failed', detail: `${check.name}: ${check.message ?? 'failing'}`, evidence: 'check' };
  }
  const rules = evidence.degradation ?? [];
  if (rules.length > 0) {
    const locus: FailureLocus = rules.includes('bitrate') ? 'input' : 'encoder';
    return { locus, cause: 'degraded', detail: `degraded: ${rules.join(', ')}`, evidence: 'degradation' };
  }
  // A signal we did not send is a harder fact than a log line that names no side.
  if (evidence.exit?.reason === 'killed') return fromExit(evidence.exit);
  if (fromLog !== undefined) return fromLog;
  if (evidence.exit !== undefined) return fromExit(evidence.exit);
  // A failing check whose side is unclear (an http check of some other endpoint) still says what failed.
  const check = evidence.failedChecks?.[0];
  if (check !== undefined) return { locus: 'unknown', cause: 'check-failed', detail: `${check.name}: ${check.message ?? 'failing'}`, evidence: 'check' };
  return { locus: 'unknown', cause: 'unknown', detail: evidence.lastError ?? 'no evidence', evidence: 'none' };
}

function checkLocus(check: FailedCheckEvidence, endpoints: Endpoints): FailureLocus {
  switch (check.type) {
    case 'rtmp-server':
      return 'output';
    case 'ffprobe':
      return (check.url === undefined ? undefined : sideByUrl(check.url, endpoints)) ?? 'output';
    case 'content':
      return 'input';
    case 'process':
      return 'encoder';
    case 'http':
      // The side of its URL when it probes one of ours (an HLS output over HTTP, an Icecast source).
      return (check.url === undefined ? undefined : sideByUrl(check.url, endpoints)) ?? 'unknown';
    case 'progress':
      return 'unknown';
  }
}

function fromExit(exit: NonNullable<FailureEvidence['exit']>): FailureClassification {
  switch (exit.reason) {
    case 'killed':
      return { locus: 'encoder', cause: 'crashed', detail: `killed by ${exit.signal ?? 'a signal'}`, evidence: 'exit' };
    case 'stalled':
      return { locus: 'unknown', cause: 'stalled', detail: 'progress stopped advancing', evidence: 'exit' };
    case 'start-timeout':
      return { locus: 'unknown', cause: 'start-timeout', detail: 'no progress within the start timeout', evidence: 'exit' };
    default:
      return { locus: 'unknown', cause: exit.reason === 'exited' ? 'exited' : 'unknown', detail: `run ended: ${exit.reason}`, evidence: 'exit' };
  }
}
