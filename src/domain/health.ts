/** Stream health, kept apart from the lifecycle state. */
import type { ObservedState } from './lifecycle.js';

export type Health = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/**
 * Health as far as the process and its progress tell: advancing progress is healthy, a stream
 * waiting to be restarted is unhealthy, and nothing can be said of a stopped or starting one.
 */
export function lifecycleHealth(state: ObservedState): Health {
  switch (state) {
    case 'running':
      return 'healthy';
    case 'backoff':
    case 'crashloop':
      return 'unhealthy';
    default:
      return 'unknown';
  }
}
