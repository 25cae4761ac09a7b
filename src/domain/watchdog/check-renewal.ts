/**
 * A check's state after a recovery action (a watchdog restart, a dropped publisher, an input
 * switch): the check gets a fresh start grace, but what it found is kept. A failing check stays
 * failing until it passes again (`successThreshold` successes in a row), so the stream's health,
 * and the alert that follows it, never resolves on advancing progress alone while the fault a
 * restart could not cure is still there. A check that was not failing starts over in `unknown`.
 *
 * A fresh start of the stream (from stopped) or an operator's restart uses `resetCheck` instead.
 */
import { createCheckState, type CheckState } from './check-state.js';

export function renewCheck(state: CheckState, now: number): CheckState {
  const fresh = createCheckState(state.config, now);
  if (state.status !== 'failing') return fresh;
  return {
    ...fresh,
    status: 'failing',
    statusSince: state.statusSince,
    ...(state.failingSince !== undefined && { failingSince: state.failingSince }),
    ...(state.failureStreakSince !== undefined && { failureStreakSince: state.failureStreakSince }),
    ...(state.lastMessage !== undefined && { lastMessage: state.lastMessage }),
    ...(state.lastOk !== undefined && { lastOk: state.lastOk }),
    ...(state.lastCheckedAt !== undefined && { lastCheckedAt: state.lastCheckedAt }),
    ...(state.lastSuccessAt !== undefined && { lastSuccessAt: state.lastSuccessAt }),
    ...(state.lastFailureAt !== undefined && { lastFailureAt: state.lastFailureAt }),
    consecutiveFailures: state.consecutiveFailures,
    skippedBeats: state.skippedBeats,
  };
}
