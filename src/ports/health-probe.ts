/**
 * One health signal of a stream (DESIGN §2 "Check"): ffprobe, http, process, rtmp-server,
 * content. A probe only observes and reports; thresholds, scheduling and actions live
 * elsewhere (the watchdog and the policy).
 *
 * Contracts for every probe:
 * - `run` never rejects: every failure, including a bug-like surprise, is a result with
 *   `ok: false` and a message;
 * - it has a hard timeout of its own and resolves by then (plus a small grace to reap),
 *   reporting `timed out after N s`; aborting `signal` ends it early the same way;
 * - it leaves no process behind: a probe that spawns kills the child's whole process group
 *   at the timeout, on abort and after a normal exit;
 * - `message` and `details` are safe to show: stream keys and credentials are redacted;
 * - one instance is not run concurrently with itself (the scheduler guarantees it); stateful
 *   probes (process CPU %, derived bitrates) keep their state between runs.
 */
import type { Redactor } from '../domain/redact.js';
import type { CheckSpec, StreamInput } from '../domain/stream-spec.js';
import type { Clock } from './clock.js';
import type { RtmpServer } from './rtmp-server.js';

export interface ProbeResult {
  readonly ok: boolean;
  /** One line for people: what was seen, or why it failed. Redacted. */
  readonly message: string;
  /** How long the run took, in milliseconds. */
  readonly durationMs: number;
  /** Machine-readable observations (codecs, bitrate, cpu %, …). Redacted. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface HealthProbe {
  /** The check type this probe implements (`ffprobe`, `http`, …). */
  readonly kind: string;
  run(signal: AbortSignal): Promise<ProbeResult>;
}

/** What a check's probe may need of its stream, given when the probe is built. */
export interface ProbeContext {
  readonly ffprobePath: string;
  readonly ffmpegPath: string;
  readonly redact: Redactor;
  readonly clock: Clock;
  /** The stream's current ffmpeg pid (process check). */
  readonly pid?: () => number | undefined;
  /** The stream's RTMP server (rtmp-server check). */
  readonly rtmpServer?: RtmpServer;
  /** The stream's output URL: what the content check samples and where rtmp-server looks. */
  readonly outputUrl?: string;
}

/** Builds the probe of a configured check (app/ passes adapters/probes/create-probe.ts). */
export type CheckProbeFactory = (check: CheckSpec, context: ProbeContext) => HealthProbe;

/** Builds the probe of a fallback input; undefined = the input is never probed (generated ones). */
export type InputProbeFactory = (input: StreamInput, index: number, timeoutMs: number) => HealthProbe | undefined;
