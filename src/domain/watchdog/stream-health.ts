/**
 * A stream's health from its lifecycle state, its checks and the progress degradation rules.
 *
 * | observed                      | health                                                   |
 * |-------------------------------|----------------------------------------------------------|
 * | backoff, crashloop            | unhealthy (the process is not running)                   |
 * | stopped, starting, stopping   | unknown (nothing to judge yet / any more)                |
 * | running                       | unhealthy if a non-informational check is failing;       |
 * |                               | else degraded if a degradation rule is breached;         |
 * |                               | else healthy if a non-informational check passes, or the |
 * |                               | stream has none (advancing progress is all we can know); |
 * |                               | else unknown (every check is still unknown)              |
 *
 * Informational checks never change the health: they are listed apart, so that nothing acts on
 * them, but an operator still sees them.
 */
import type { Health } from '../health.js';
import type { ObservedState } from '../lifecycle.js';
import type { CheckState } from './check-state.js';
import type { DegradationBreach } from './degradation.js';

export interface FailingCheck {
  readonly name: string;
  readonly type: CheckState['config']['type'];
  readonly informational: boolean;
  readonly message: string;
  readonly failingSince?: number;
  readonly consecutiveFailures: number;
}

export interface StreamHealthInput {
  readonly observed: ObservedState;
  readonly checks: readonly CheckState[];
  /** The progress check's breached rules (degradation.ts); absent or empty when none. */
  readonly degradation?: readonly DegradationBreach[];
}

export interface StreamHealthReport {
  readonly health: Health;
  /** One line for logs, events and notifications. */
  readonly reason: string;
  /** Non-informational checks that are failing: what the decider acts on. */
  readonly failing: readonly FailingCheck[];
  /** Informational checks that are failing: reported only. */
  readonly informational: readonly FailingCheck[];
  readonly degradation: readonly DegradationBreach[];
  /** The longest run of failures among the non-informational checks (watchdog status API). */
  readonly consecutiveFailures: number;
  /** Earliest `failingSince` of the failing checks: when the stream went bad, for detection time. */
  readonly unhealthySince?: number;
  /**
   * When the failing checks began to fail: the earliest first failure of their streaks, at or
   * before `unhealthySince`. "Unhealthy for N s" counts from here: a check that trips after 30 s
   * without a success has been failing for 30 s, not 0.
   */
  readonly failingSince?: number;
}

export function deriveStreamHealth(input: StreamHealthInput): StreamHealthReport {
  const { observed, checks } = input;
  const degradation = input.degradation ?? [];
  const acting = checks.filter((check) => !check.config.informational);
  const failing = acting.filter((check) => check.status === 'failing').map(toFailing);
  const informational = checks.filter((check) => check.config.informational && check.status === 'failing').map(toFailing);
  const consecutiveFailures = Math.max(0, ...acting.map((check) => check.consecutiveFailures));
  const since = failing.map((check) => check.failingSince).filter((at): at is number => at !== undefined);
  const streaks = acting
    .filter((check) => check.status === 'failing')
    .map((check) => check.failureStreakSince ?? check.failingSince)
    .filter((at): at is number => at !== undefined);
  const report = (health: Health, reason: string): StreamHealthReport => ({
    health,
    reason,
    failing,
    informational,
    degradation,
    consecutiveFailures,
    ...(health === 'unhealthy' && since.length > 0 && { unhealthySince: Math.min(...since) }),
    ...(health === 'unhealthy' && streaks.length > 0 && { failingSince: Math.min(...streaks, ...since) }),
  });

  switch (observed) {
    case 'backoff':
    case 'crashloop':
      return report('unhealthy', `process is in ${observed}`);
    case 'stopped':
    case 'starting':
    case 'stopping':
      return report('unknown', `process is ${observed}`);
    case 'running':
      break;
  }
  if (failing.length > 0) return report('unhealthy', failing.map((check) => `${check.name}: ${check.message}`).join('; '));
  if (degradation.length > 0) return report('degraded', `degraded: ${degradation.map((breach) => breach.message).join('; ')}`);
  if (acting.length === 0) return report('healthy', 'running; no checks configured');
  const passing = acting.filter((check) => check.status === 'passing').length;
  if (passing > 0) return report('healthy', `${passing} of ${acting.length} checks passing, none failing`);
  return report('unknown', 'no check has a verdict yet');
}

function toFailing(check: CheckState): FailingCheck {
  return {
    name: check.config.name,
    type: check.config.type,
    informational: check.config.informational,
    message: check.lastMessage ?? 'no message',
    ...(check.failingSince !== undefined && { failingSince: check.failingSince }),
    consecutiveFailures: check.consecutiveFailures,
  };
}
