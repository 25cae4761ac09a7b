/**
 * The daemon's own health for /livez and /readyz: a list of named components, each a liveness
 * or a readiness check.
 */
import { fail, pass, type HealthComponent } from '../http/health-report.js';
import type { Heartbeat } from './heartbeat.js';

/** starting: streams not started yet; running: first reconcile done; stopping: shutting down. */
export type DaemonPhase = 'starting' | 'running' | 'stopping';

/** How stale the heartbeat may be before /livez fails. */
const LIVENESS_TOLERANCE_MS = 5_000;

export interface HealthSources {
  readonly heartbeat: Heartbeat;
  readonly phase: () => DaemonPhase;
  readonly streamsConfigured: number;
  readonly storePath: string;
  /** Why the store is unusable; undefined when writable. */
  readonly storeTrouble: () => string | undefined;
  /** Reconcile passes done so far. */
  readonly reconcilePasses: () => number;
}

export function healthComponents(s: HealthSources): HealthComponent[] {
  return [
    {
      name: 'heartbeat',
      kind: 'liveness',
      check: () =>
        s.heartbeat.isLive(LIVENESS_TOLERANCE_MS) ? pass('timers are firing') : fail(`no timer has fired for over ${LIVENESS_TOLERANCE_MS / 1_000} s`),
    },
    { name: 'config', kind: 'readiness', check: () => pass(`configuration loaded (${s.streamsConfigured} streams)`) },
    {
      name: 'store',
      kind: 'readiness',
      check: () => {
        const trouble = s.storeTrouble();
        return trouble === undefined ? pass(`store writable (${s.storePath})`) : fail(`store unavailable: ${trouble}`);
      },
    },
    {
      name: 'reconcile',
      kind: 'readiness',
      check: () => (s.phase() === 'starting' || s.reconcilePasses() === 0 ? fail('streams are being started') : pass('streams wanted running were started')),
    },
    { name: 'shutdown', kind: 'readiness', check: () => (s.phase() === 'stopping' ? fail('shutting down') : pass('not shutting down')) },
  ];
}
