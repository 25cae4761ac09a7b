/**
 * What the supervisor hands the pure lifecycle, and the verdict it falls back on: the machine's
 * config from a spec, the queued event shape, the event each deadline raises, and the lifecycle's
 * own health judgement (used when no watchdog judges, or when it fails).
 */
import { lifecycleHealth } from '../domain/health.js';
import type { LifecycleConfig, LifecycleEvent, ObservedState, TimerName } from '../domain/lifecycle.js';
import type { RestartOrigin } from '../domain/restart-reason.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { HealthSource, HealthVerdict } from '../ports/supervised-stream.js';
import type { Logger } from '../ports/logger.js';

export function lifecycleConfigOf(spec: StreamSpec): LifecycleConfig {
  return {
    restart: spec.restart,
    stop: spec.stop,
    startTimeoutMs: spec.startTimeoutMs,
    stallTimeoutMs: spec.stallTimeoutMs,
  };
}

/** A lifecycle event as queued; a restart carries who asked for it. */
export type QueuedEvent = LifecycleEvent & { readonly origin?: RestartOrigin };

export const TIMER_EVENTS = {
  start: 'start-timeout',
  stall: 'stall-timeout',
  backoff: 'backoff-elapsed',
  kill: 'kill-escalate',
} as const satisfies Record<TimerName, LifecycleEvent['type']>;

export function lifecycleVerdict(observed: ObservedState): HealthVerdict {
  const health = lifecycleHealth(observed);
  return { health, reason: health === 'healthy' ? 'running; progress advancing' : `process is ${observed}` };
}

/** The source's verdict (the watchdog's), or the lifecycle's when there is none or it fails. */
export function judgeHealth(source: HealthSource | undefined, observed: ObservedState, log: Logger): HealthVerdict {
  try {
    return source?.(observed) ?? lifecycleVerdict(observed);
  } catch (error) {
    log.error({ err: error }, 'the health source failed; judging by the lifecycle state');
    return lifecycleVerdict(observed);
  }
}
