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
