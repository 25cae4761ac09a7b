/**
 * The daemon's own health, as a list of named components (Kubernetes-style probes):
 *
 * - `liveness` components say the process works at all (its timers fire). They never look at a
 *   dependency: a failing liveness probe gets the daemon restarted, which must only happen when
 *   a restart helps.
 * - `readiness` components say the daemon is ready to serve (state loaded, first reconcile done,
 *   not shutting down; the store will add "writable").
 * - stream components (verbose reports only) show each stream. A failing stream makes the report
 *   `warn` at most, never `fail`: restarting the daemon does not fix a stream.
 *
 * A report is `fail` (HTTP 503) when a component that counts fails, `warn` when any component
 * warns or fails without counting, `pass` otherwise.
 */
import type { ObservedState } from '../domain/lifecycle.js';
import type { Health } from '../domain/health.js';

export type ComponentStatus = 'pass' | 'warn' | 'fail';
export type ComponentKind = 'liveness' | 'readiness' | 'stream';

export interface ComponentCheck {
  readonly status: ComponentStatus;
  readonly message: string;
}

export interface HealthComponent {
  readonly name: string;
  readonly kind: Exclude<ComponentKind, 'stream'>;
  check(): ComponentCheck;
}

export interface ComponentResult extends ComponentCheck {
  readonly name: string;
  readonly kind: ComponentKind;
}

export interface HealthReport {
  readonly status: ComponentStatus;
  readonly components: readonly ComponentResult[];
}

export const pass = (message: string): ComponentCheck => ({ status: 'pass', message });
export const warn = (message: string): ComponentCheck => ({ status: 'warn', message });
export const fail = (message: string): ComponentCheck => ({ status: 'fail', message });

const RANK: Readonly<Record<ComponentStatus, number>> = { pass: 0, warn: 1, fail: 2 };

/** Runs the components; one that throws counts as failed (with a generic message). */
export function runComponents(components: readonly HealthComponent[]): ComponentResult[] {
  return components.map((component) => {
    let result: ComponentCheck;
    try {
      result = component.check();
    } catch {
      result = fail('the check itself failed');
    }
    return { name: component.name, kind: component.kind, status: result.status, message: result.message };
  });
}

/** The overall status: stream components lower it to `warn` at most. */
export function overallStatus(results: readonly ComponentResult[]): ComponentStatus {
  let worst: ComponentStatus = 'pass';
  for (const result of results) {
    const status: ComponentStatus = result.kind === 'stream' && result.status === 'fail' ? 'warn' : result.status;
    if (RANK[status] > RANK[worst]) worst = status;
  }
  return worst;
}

/** A stream as a report component: crash-looping fails, waiting to restart warns. */
export function streamComponent(id: string, state: ObservedState, desired: string, health: Health): ComponentResult {
  const message = `state ${state}, desired ${desired}, health ${health}`;
  const status: ComponentStatus = state === 'crashloop' ? 'fail' : health === 'unhealthy' || health === 'degraded' ? 'warn' : 'pass';
  return { name: `stream:${id}`, kind: 'stream', status, message };
}
