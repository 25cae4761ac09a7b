/**
 * Both layers' recovery figures for one stream, in numbers (ms times), for the watchdog status
 * of the API (/api/v1/watchdog/status) and its VistterStream-shaped alias (/api/watchdog/status).
 */
import type { StreamSupervisor } from '../supervisor/stream-supervisor.js';
import type { WatchdogStreamView } from '../watchdog/watchdog-view.js';

export interface RecoverySummary {
  /**
   * Failures in a row since the stream was last healthy: the longest run of failed checks, or the
   * fast layer's automatic restarts, whichever is larger.
   */
  readonly consecutiveUnhealthy: number;
  readonly lastHealthyAt: number | undefined;
  /** The last recovery by either layer (an automatic restart, or a watchdog action). */
  readonly lastRecoveryAt: number | undefined;
  /** Recoveries by both layers: automatic restarts plus watchdog actions. */
  readonly recoveryCount: number;
}

export function recoverySummary(stream: StreamSupervisor, watchdog: WatchdogStreamView | undefined): RecoverySummary {
  const status = stream.status();
  const stats = stream.recoveryStats();
  const lastRecovery = Math.max(stats.lastRecoveryAt ?? -Infinity, watchdog?.lastRecoveryAt ?? -Infinity);
  return {
    consecutiveUnhealthy: Math.max(stats.consecutiveUnhealthy, status.health === 'healthy' ? 0 : (watchdog?.report.consecutiveFailures ?? 0)),
    lastHealthyAt: stats.lastHealthyAt,
    lastRecoveryAt: Number.isFinite(lastRecovery) ? lastRecovery : undefined,
    recoveryCount: stats.recoveries + (watchdog?.recoveryCount ?? 0),
  };
}
