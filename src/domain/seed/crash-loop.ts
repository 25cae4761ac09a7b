/**
 * Whether a stream wanted running is in a crash loop, for readiness (/readyz).
 *
 * The observed state alone flaps: a stream in `crashloop` is retried at the backoff cap, and for
 * the length of each retry it is `starting`. A stream counts as crash-looping while it is wanted
 * running, is not running (no advancing progress yet) and either is in `crashloop` or has spent
 * its restart budget (as many automatic restarts within the budget window as the budget allows).
 * It stops counting once a run makes progress again (`running`) or the stream is no longer wanted.
 *
 * Pure: the caller passes the time.
 */
import type { ObservedState } from '../lifecycle.js';

export interface CrashLoopInput {
  readonly desired: 'running' | 'stopped';
  readonly observed: ObservedState;
  /** The fast layer's recent automatic restart times (any order). */
  readonly recentRestarts: readonly number[];
  readonly budget: { readonly restarts: number; readonly withinMs: number };
  readonly now: number;
}

const RETRYING: ReadonlySet<ObservedState> = new Set(['starting', 'backoff']);

export function inCrashLoop(input: CrashLoopInput): boolean {
  if (input.desired !== 'running') return false;
  if (input.observed === 'crashloop') return true;
  if (!RETRYING.has(input.observed)) return false;
  const windowStart = input.now - input.budget.withinMs;
  const inWindow = input.recentRestarts.filter((at) => at > windowStart && at <= input.now).length;
  return inWindow >= Math.max(1, input.budget.restarts);
}
