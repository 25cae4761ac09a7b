/**
 * When to restart a stream that failed: the first restart is immediate, then the delay starts at
 * `backoffInitialMs` and multiplies up to `backoffMaxMs`, each delay jittered by ±`jitter`.
 * A run that stayed up for `resetAfterMs` starts the sequence over.
 *
 * The budget: `budget.restarts` = N automatic restarts are allowed within `budget.withinMs`; the
 * failure that would be restart N + 1 inside the window enters crashloop instead (retry at the
 * cap, never give up for good). So `{ restarts: 3 }` restarts three times, then crash-loops.
 *
 * Pure: the caller passes the current time and a random number in [0, 1).
 */
import type { RestartPolicy } from './stream-spec.js';

export interface RestartHistory {
  /** Times of the most recent automatic restarts, oldest first; at most `budget.restarts` kept (enough to see restart N + 1). */
  readonly recentRestarts: readonly number[];
  /** Failures since the last healthy period; drives the backoff exponent. */
  readonly consecutiveFailures: number;
}

export const EMPTY_RESTART_HISTORY: RestartHistory = { recentRestarts: [], consecutiveFailures: 0 };

export interface RestartDecision {
  readonly delayMs: number;
  readonly crashloop: boolean;
  /** Automatic restarts inside the budget window, this one included. */
  readonly restartsInWindow: number;
  readonly history: RestartHistory;
}

export interface RestartContext {
  readonly now: number;
  /** When the run that just ended first made progress, if it did. */
  readonly runningSince: number | undefined;
  /** A uniform random number in [0, 1) for the jitter. */
  readonly random: number;
}

/** The un-jittered delay before the restart that follows `failures` earlier consecutive failures. */
export function backoffDelay(policy: RestartPolicy, failures: number): number {
  if (failures <= 0) return 0;
  const raw = policy.backoffInitialMs * policy.backoffMultiplier ** (failures - 1);
  return Math.min(raw, policy.backoffMaxMs);
}

/** Spreads `delayMs` uniformly over ±jitter so that many streams failing together do not retry in step. */
export function applyJitter(delayMs: number, jitter: number, random: number): number {
  if (delayMs <= 0 || jitter <= 0) return delayMs;
  return Math.round(delayMs * (1 + jitter * (2 * random - 1)));
}

export function decideRestart(
  policy: RestartPolicy,
  history: RestartHistory,
  context: RestartContext,
): RestartDecision {
  const { now, runningSince, random } = context;
  const wasHealthyLongEnough = runningSince !== undefined && now - runningSince >= policy.resetAfterMs;
  const failures = wasHealthyLongEnough ? 0 : history.consecutiveFailures;

  const windowStart = now - policy.budget.withinMs;
  const inWindow = [...history.recentRestarts.filter((at) => at > windowStart), now];
  // N restarts are within budget; the (N + 1)th inside the window is a crash loop.
  const crashloop = inWindow.length > policy.budget.restarts;

  const baseDelay = crashloop ? policy.backoffMaxMs : backoffDelay(policy, failures);
  return {
    delayMs: applyJitter(baseDelay, policy.jitter, random),
    crashloop,
    restartsInWindow: inWindow.length,
    history: {
      recentRestarts: inWindow.slice(-Math.max(1, policy.budget.restarts)),
      consecutiveFailures: failures + 1,
    },
  };
}

/**
 * While the watchdog retries a crash loop (one decider per stream, see delegateCrashloopRetries),
 * the fast layer keeps only a late backstop: its own retry, this many times the crash-loop delay.
 */
export const CRASHLOOP_BACKSTOP_FACTOR = 2;

/** When the fast layer retries a crash loop: at `delayMs`, or as the backstop when retries are delegated. */
export function crashloopRetryDelay(delayMs: number, delegated: boolean): number {
  return delegated ? delayMs * CRASHLOOP_BACKSTOP_FACTOR : delayMs;
}
