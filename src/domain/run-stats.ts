/**
 * The counters one stream keeps across its runs: restarts (in total and by reason), the fast
 * layer's own recoveries, and when the stream was last healthy or last recovered. Feeds the
 * restart metrics and `recoveryStats()` (the watchdog's view of the fast layer).
 *
 * Pure: the supervisor holds the value and replaces it on every finished run and health change.
 */
import type { Health } from './health.js';
import type { RunEnded } from './lifecycle-types.js';
import type { RestartReason } from './restart-reason.js';

export interface RunStats {
  /** Runs that were followed by another run (every end but a stop). */
  readonly restarts: number;
  readonly restartsByReason: ReadonlyMap<RestartReason, number>;
  /** Automatic restarts the fast layer made on its own, over the life of the stream. */
  readonly recoveries: number;
  /** Those since the stream was last healthy. */
  readonly recoveriesSinceHealthy: number;
  /** When the stream last stopped being healthy (undefined if it never was). */
  readonly lastHealthyAt: number | undefined;
  readonly lastRecoveryAt: number | undefined;
}

export const EMPTY_RUN_STATS: RunStats = {
  restarts: 0,
  restartsByReason: new Map(),
  recoveries: 0,
  recoveriesSinceHealthy: 0,
  lastHealthyAt: undefined,
  lastRecoveryAt: undefined,
};

/** Counts a run the lifecycle has judged; `counted` is how its end is labelled (restartReasonOf). */
export function countRunEnded(stats: RunStats, ended: RunEnded, counted: RestartReason, endedAt: number): RunStats {
  let next = stats;
  if (ended.next !== 'stopped') {
    const byReason = new Map(stats.restartsByReason);
    byReason.set(counted, (byReason.get(counted) ?? 0) + 1);
    next = { ...next, restarts: next.restarts + 1, restartsByReason: byReason };
  }
  // The fast layer's own recoveries: a watchdog restart (reason `restarted`, counted in the
  // budget) is the watchdog's recovery, reported by it.
  if (ended.countsAsRestart && ended.reason !== 'restarted') {
    next = { ...next, recoveries: next.recoveries + 1, recoveriesSinceHealthy: next.recoveriesSinceHealthy + 1, lastRecoveryAt: endedAt };
  }
  return next;
}

/** The stream's health went from `before` to `after` (or was judged again) at `at`. */
export function countHealth(stats: RunStats, before: Health, after: Health, at: number): RunStats {
  let next = stats;
  if (after === 'healthy' && next.recoveriesSinceHealthy !== 0) next = { ...next, recoveriesSinceHealthy: 0 };
  if (before === 'healthy' && after !== 'healthy') next = { ...next, lastHealthyAt: at };
  return next;
}

export function restartsFor(stats: RunStats, reason: RestartReason): number {
  return stats.restartsByReason.get(reason) ?? 0;
}

/** The fast layer's recovery picture now (the port's RecoveryStats). */
export function recoveryStats(
  stats: RunStats,
  health: Health,
  now: number,
): { consecutiveUnhealthy: number; lastHealthyAt: number | undefined; lastRecoveryAt: number | undefined; recoveries: number } {
  const healthy = health === 'healthy';
  return {
    consecutiveUnhealthy: healthy ? 0 : stats.recoveriesSinceHealthy,
    lastHealthyAt: healthy ? now : stats.lastHealthyAt,
    lastRecoveryAt: stats.lastRecoveryAt,
    recoveries: stats.recoveries,
  };
}
