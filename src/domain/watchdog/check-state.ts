/**
 * One check's judgement, from the stream of its results. Pure: every result carries its time.
 *
 *            M consecutive successes                 threshold tripped (after the grace)
 *  ┌─────────┐ ──────────────────────▶ ┌─────────┐ ───────────────────────────────────▶ ┌─────────┐
 *  │ unknown │                         │ passing │                                      │ failing │
 *  └─────────┘ ──────────────────────────────────────────────────────────────────────▶ └─────────┘
 *        threshold tripped             ◀────────────── M consecutive successes ──────────────┘
 *
 * Two threshold styles, both optional, either one trips the check:
 * - count (`failureThreshold`, VistterStream: 3 × 30 s): N consecutive failures;
 * - duration (`unhealthyAfterMs`, motherstream: 30 s): failures without a single success in between
 *   for that long, measured from the start of the first failed probe of the streak (a probe that
 *   hangs until its timeout against a frozen publisher has failed since it began, not since the
 *   timeout; never before the previous result). One success resets the timer.
 * With neither, one failure trips it. `successThreshold` (M) successes in a row make it passing,
 * from `unknown` as from `failing`, so a restart that resets the check cannot skip the M.
 *
 * Start grace (k8s `initialDelaySeconds` semantics): failures before `graceUntil` are recorded but
 * not counted, and the duration clock starts at the grace end at the earliest, so a slow publisher
 * gets the grace plus the threshold. Successes count at once, and the first one ends the grace.
 *
 * Skipped beats (the previous probe still running at the next interval) are neither success nor
 * failure: they are counted and noted, and only let time run on a failure streak that already
 * started (no success for that long is still no success for that long).
 */
import { DEFAULT_START_TIMEOUT_MS, type CheckSpec, type CheckType } from '../stream-spec.js';

export type CheckStatus = 'passing' | 'failing' | 'unknown';

export const SKIPPED_MESSAGE = 'skipped: previous probe still running';

/** Default start grace: the stream's start timeout, the time ffmpeg gets to show progress. */
export const DEFAULT_CHECK_GRACE_MS = DEFAULT_START_TIMEOUT_MS;

/** How a check is judged; taken from its `CheckSpec`. */
export interface CheckJudgement {
  readonly name: string;
  readonly type: CheckType;
  /** Tracked and reported, never acted on (the stream health and the decider ignore it). */
  readonly informational: boolean;
  readonly failureThreshold?: number;
  readonly unhealthyAfterMs?: number;
  /** @default 1 */
  readonly successThreshold: number;
  /** @default DEFAULT_CHECK_GRACE_MS (30 s) */
  readonly graceMs: number;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly message: string;
  /** When the result became known (probe finished, timed out, or the beat was skipped). */
  readonly at: number;
  readonly durationMs: number;
  /** The probe was not run: the previous one was still running. */
  readonly skipped?: boolean;
}

export interface CheckState {
  readonly config: CheckJudgement;
  readonly status: CheckStatus;
  /** When `status` last changed (or the check was created / reset). */
  readonly statusSince: number;
  /** Failures before this time are not counted. */
  readonly graceUntil: number;
  readonly lastMessage?: string;
  readonly lastOk?: boolean;
  readonly lastCheckedAt?: number;
  readonly lastDurationMs?: number;
  readonly lastSuccessAt?: number;
  readonly lastFailureAt?: number;
  /** All failures since the last success, grace included (for reports). */
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** Failures since the last success that count toward the thresholds (after the grace). */
  readonly countedFailures: number;
  /** First failure since the last success. */
  readonly failureStreakSince?: number;
  /** When the check last became failing; unset unless failing. */
  readonly failingSince?: number;
  /** Beats skipped in total, and the latest one. */
  readonly skippedBeats: number;
  readonly lastSkippedAt?: number;
  /** `SKIPPED_MESSAGE` while the latest beat was skipped; cleared by the next real result. */
  readonly note?: string;
  /** Real (not skipped) results recorded since creation or reset. */
  readonly results: number;
}

export interface CheckTransition {
  readonly from: CheckStatus;
  readonly to: CheckStatus;
  readonly at: number;
  /** E.g. "failing for 30 s without a success: Connection refused", "3 consecutive failures: …". */
  readonly reason: string;
}

export interface CheckUpdate {
  readonly state: CheckState;
  /** Set when the status changed. */
  readonly transition?: CheckTransition;
}

export function judgementFromSpec(spec: CheckSpec, graceMs: number = DEFAULT_CHECK_GRACE_MS): CheckJudgement {
  return {
    name: spec.name,
    type: spec.type,
    informational: spec.informational,
    ...(spec.failureThreshold !== undefined && { failureThreshold: spec.failureThreshold }),
    ...(spec.unhealthyAfterMs !== undefined && { unhealthyAfterMs: spec.unhealthyAfterMs }),
    successThreshold: Math.max(1, spec.successThreshold),
    graceMs: Math.max(0, graceMs),
  };
}

/** A fresh check in `unknown`, its grace starting at `now`. */
export function createCheckState(config: CheckJudgement, now: number): CheckState {
  return {
    config,
    status: 'unknown',
    statusSince: now,
    graceUntil: now + config.graceMs,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    countedFailures: 0,
    skippedBeats: 0,
    results: 0,
  };
}

/** Back to `unknown` with a new grace (new run, publisher dropped, input switched). */
export function resetCheck(state: CheckState, now: number): CheckState {
  return createCheckState(state.config, now);
}

export function recordResult(state: CheckState, result: CheckResult): CheckUpdate {
  // A clock that steps back must not shorten or reverse a streak.
  const at = Math.max(result.at, state.lastCheckedAt ?? result.at, state.lastSkippedAt ?? result.at);
  if (result.skipped === true) {
    const skipped: CheckState = { ...state, skippedBeats: state.skippedBeats + 1, lastSkippedAt: at, note: SKIPPED_MESSAGE };
    return judgeDuration(skipped, at);
  }
  const base = {
    ...state,
    lastMessage: result.message,
    lastOk: result.ok,
    lastCheckedAt: at,
    lastDurationMs: result.durationMs,
    note: undefined,
    results: state.results + 1,
  };
  if (result.ok) {
    const successes = state.consecutiveSuccesses + 1;
    const next: CheckState = {
      ...base,
      // A success ends the start grace: what fails after it fails a publisher that was up.
      graceUntil: Math.min(state.graceUntil, at),
      lastSuccessAt: at,
      consecutiveSuccesses: successes,
      consecutiveFailures: 0,
      countedFailures: 0,
      failureStreakSince: undefined,
    };
    if (state.status === 'passing' || successes < state.config.successThreshold) return { state: next };
    const reason = successes === 1 ? 'check succeeded' : `${successes} consecutive successes`;
    return change(next, 'passing', at, reason);
  }
  const counted = at >= state.graceUntil ? state.countedFailures + 1 : state.countedFailures;
  const next: CheckState = {
    ...base,
    lastFailureAt: at,
    consecutiveFailures: state.consecutiveFailures + 1,
    consecutiveSuccesses: 0,
    countedFailures: counted,
    failureStreakSince: state.failureStreakSince ?? probeStart(state, result, at),
  };
  const threshold = state.config.failureThreshold;
  if (state.status !== 'failing' && threshold !== undefined && counted >= threshold) {
    return change(next, 'failing', at, `${counted} consecutive failure${counted === 1 ? '' : 's'}: ${result.message}`);
  }
  if (state.status !== 'failing' && threshold === undefined && state.config.unhealthyAfterMs === undefined && counted >= 1) {
    return change(next, 'failing', at, `check failed: ${result.message}`);
  }
  return judgeDuration(next, at);
}

/**
 * When the probe that produced `result` began: its duration before `at`, never before the previous
 * result. (Beats skipped while it ran do not count: they are that probe still running.)
 */
function probeStart(state: CheckState, result: CheckResult, at: number): number {
  const started = at - Math.max(0, result.durationMs);
  return Math.min(at, Math.max(started, state.lastCheckedAt ?? started));
}

/**
 * Re-applies the duration rule at `now` without a result, for a caller that wants the check to
 * trip on time even when results are late. Never changes anything but the status.
 */
export function tickCheck(state: CheckState, now: number): CheckUpdate {
  return judgeDuration(state, Math.max(now, state.lastCheckedAt ?? now));
}

/** How long the current failure streak has counted toward `unhealthyAfterMs` at `now`. */
export function countedFailureMs(state: CheckState, now: number): number {
  if (state.failureStreakSince === undefined || state.countedFailures === 0) return 0;
  return Math.max(0, now - Math.max(state.failureStreakSince, state.graceUntil));
}

function judgeDuration(state: CheckState, at: number): CheckUpdate {
  const limit = state.config.unhealthyAfterMs;
  if (state.status === 'failing' || limit === undefined) return { state };
  const held = countedFailureMs(state, at);
  if (state.countedFailures === 0 || held < limit) return { state };
  const reason = `failing for ${Math.floor(held / 1_000)} s without a success: ${state.lastMessage ?? 'no message'}`;
  return change(state, 'failing', at, reason);
}

function change(state: CheckState, to: CheckStatus, at: number, reason: string): CheckUpdate {
  const transition: CheckTransition = { from: state.status, to, at, reason };
  const failingSince = to === 'failing' ? at : undefined;
  return { state: { ...state, status: to, statusSince: at, failingSince }, transition };
}
