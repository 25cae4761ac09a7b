/**
 * Feeds the alert manager from the supervisor's and the watchdog's event buses: transitions, not
 * checks. Health `unhealthy` / `degraded` are conditions (resolved when the stream is healthy or
 * stopped on purpose); `crashloop` is a condition from entering that state until the stream has
 * stayed healthy for its "healthy" threshold (`healthyAfterMs`: the restart policy's `resetAfter`,
 * after which the fast layer too considers the failures over), so a brief run during a slow retry
 * does not resolve it; a dropped
 * publisher and an input switch are one-off notices. The last error of the latest run and the
 * watchdog's latest action are attached as "last error" and "what was done".
 */
import type { AlertCondition } from '../domain/alerts/message.js';
import type { StreamEventMap } from '../events/stream-events.js';
import type { TypedEvents } from '../events/typed-events.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { AlertManager } from './alert-manager.js';

export interface FollowOptions {
  /** The stream's display name (its `name`), else its id. */
  readonly streamName?: (stream: string) => string;
  readonly onError?: (error: unknown) => void;
  /** With `healthyAfterMs`: times how long a stream stays healthy before its crash loop is over. */
  readonly clock?: Clock;
  /** How long a stream must stay healthy for its crash loop to be over; 0 / absent: at once. */
  readonly healthyAfterMs?: (stream: string) => number | undefined;
}

const STREAM_CONDITIONS: readonly AlertCondition[] = ['unhealthy', 'degraded', 'crashloop'];

export function followStreams(
  manager: AlertManager,
  streams: TypedEvents<StreamEventMap>,
  watchdog: TypedEvents<WatchdogEventMap> | undefined,
  options: FollowOptions = {},
): () => void {
  const lastError = new Map<string, string>();
  const lastAction = new Map<string, string>();
  const name = (id: string): string => options.streamName?.(id) ?? id;
  const context = (id: string): { action?: string; lastError?: string } => {
    const action = lastAction.get(id);
    const error = lastError.get(id);
    return { ...(action !== undefined && { action }), ...(error !== undefined && { lastError: error }) };
  };
  const handle = (work: Promise<void>): void => {
    work.catch((error: unknown) => options.onError?.(error));
  };
  const crashloopOver = new Map<string, TimerHandle>();
  const cancelCrashloopEnd = (id: string): void => {
    crashloopOver.get(id)?.cancel();
    crashloopOver.delete(id);
  };
  /** Healthy now: the crash loop is over once it stays so for the stream's healthy threshold. */
  const healthyAgain = (id: string): void => {
    cancelCrashloopEnd(id);
    const ms = options.healthyAfterMs?.(id) ?? 0;
    if (options.clock === undefined || ms <= 0) {
      handle(manager.conditionCleared('crashloop', id));
      return;
    }
    crashloopOver.set(
      id,
      options.clock.setTimer(ms, () => {
        crashloopOver.delete(id);
        handle(manager.conditionCleared('crashloop', id));
      }),
    );
  };

  const off = [
    streams.on('run-finished', (e) => {
      if (e.lastError !== undefined) lastError.set(e.streamId, e.lastError);
      if (e.countsAsRestart) lastAction.set(e.streamId, `restarted automatically (run ended: ${e.reason})`);
    }),
    streams.on('health', (e) => {
      const id = e.streamId;
      if (e.to !== 'healthy') cancelCrashloopEnd(id);
      if (e.to === 'unhealthy') {
        handle(manager.conditionActive({ condition: 'unhealthy', stream: id, severity: 'critical', title: `${name(id)} is unhealthy`, what: e.reason, ...context(id) }));
        handle(manager.conditionCleared('degraded', id));
      } else if (e.to === 'degraded') {
        handle(manager.conditionActive({ condition: 'degraded', stream: id, severity: 'warning', title: `${name(id)} is degraded`, what: e.reason, ...context(id) }));
        handle(manager.conditionCleared('unhealthy', id));
      } else if (e.to === 'healthy') {
        handle(manager.conditionCleared('unhealthy', id));
        handle(manager.conditionCleared('degraded', id));
        healthyAgain(id);
      }
    }),
    streams.on('state', (e) => {
      const id = e.streamId;
      if (e.to === 'crashloop') {
        cancelCrashloopEnd(id);
        handle(
          manager.conditionActive({
            condition: 'crashloop',
            stream: id,
            severity: 'critical',
            title: `${name(id)} is in a crash loop`,
            what: 'restart budget exhausted; retrying slowly',
            ...context(id),
          }),
        );
      }
      if (e.to === 'stopped' && e.desired === 'stopped') {
        // Stopped on purpose: nothing to alert about any more.
        cancelCrashloopEnd(id);
        for (const condition of STREAM_CONDITIONS) handle(manager.conditionCleared(condition, id));
        lastError.delete(id);
        lastAction.delete(id);
      }
    }),
  ];
  if (watchdog !== undefined) {
    off.push(
      watchdog.on('recovery', (e) => {
        if (e.phase !== 'action') return;
        const id = e.streamId;
        lastAction.set(id, `${e.action}: ${e.reason}`);
        if (e.action === 'drop-publisher') {
          handle(manager.event({ kind: 'publisher-dropped', stream: id, severity: 'warning', title: `${name(id)}: publisher dropped`, what: e.reason, ...context(id) }));
        } else if (e.action === 'next-input' && e.fromInput !== undefined && e.toInput !== undefined) {
          handle(
            manager.event({
              kind: 'input-switched',
              stream: id,
              severity: e.toInput < e.fromInput ? 'info' : 'warning',
              title: `${name(id)} switched from input ${e.fromInput} to input ${e.toInput}`,
              what: e.reason,
              ...context(id),
            }),
          );
        }
      }),
    );
  }
  return () => {
    for (const remove of off) remove();
    for (const id of [...crashloopOver.keys()]) cancelCrashloopEnd(id);
  };
}
