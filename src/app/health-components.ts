/**
 * The daemon's own health for /livez and /readyz: a list of named components, each a liveness
 * or a readiness check.
 */
import { inCrashLoop } from '../domain/seed/crash-loop.js';
import { fail, pass, type HealthComponent } from '../http/health-report.js';
import type { SupervisedStream } from '../ports/supervised-stream.js';
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
  /** The supervised streams now, and the time: for the crash-loop component. */
  readonly streams: () => readonly SupervisedStream[];
  readonly now: () => number;
  /** server.readiness.failOnCrashloop: a stream wanted running in a crash loop fails readiness. */
  readonly failOnCrashloop: boolean;
}

/** Fails while a stream wanted running is in a crash loop (see domain/seed/crash-loop.ts), naming it. */
function crashloopComponent(s: HealthSources): HealthComponent {
  return {
    name: 'crashloop',
    kind: 'readiness',
    check: () => {
      if (!s.failOnCrashloop) return pass('crash loops do not count (server.readiness.failOnCrashloop: false)');
      const now = s.now();
      const looping = s
        .streams()
        .filter((stream) => inCrashLoop({ desired: stream.desired, observed: stream.observed, recentRestarts: stream.recentRestarts(), budget: stream.spec.restart.budget, now }))
        .map((stream) => stream.spec.id);
      if (looping.length === 0) return pass('no stream wanted running is in a crash loop');
      const which = looping.length === 1 ? `stream ${looping[0] ?? ''} is` : `streams ${looping.join(', ')} are`;
      return fail(`${which} wanted running but in a crash loop`);
    },
  };
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
    crashloopComponent(s),
  ];
}
