import { describe, expect, it } from 'vitest';
import type { ConditionReport } from '../domain/alerts/alert-machine.js';
import type { StreamEventMap } from '../events/stream-events.js';
import { TypedEvents } from '../events/typed-events.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';
import type { AlertManager, EventReport } from './alert-manager.js';
import { followStreams } from './follow-streams.js';

function recorder() {
  const calls: string[] = [];
  const reports: (ConditionReport | EventReport)[] = [];
  const manager = {
    conditionActive: (r: ConditionReport) => {
      calls.push(`+${r.condition}:${r.stream ?? ''}`);
      reports.push(r);
      return Promise.resolve();
    },
    conditionCleared: (c: string, s?: string) => {
      calls.push(`-${c}:${s ?? ''}`);
      return Promise.resolve();
    },
    event: (r: EventReport) => {
      calls.push(`!${r.kind}:${r.stream ?? ''}`);
      reports.push(r);
      return Promise.resolve();
    },
  } as unknown as AlertManager;
  return { calls, reports, manager };
}

describe('followStreams', () => {
  it('turns health, state and watchdog actions into conditions and events', () => {
    const { calls, reports, manager } = recorder();
    const streams = new TypedEvents<StreamEventMap>();
    const watchdog = new TypedEvents<WatchdogEventMap>();
    const off = followStreams(manager, streams, watchdog, { streamName: (id) => id.toUpperCase() });
    streams.emit('run-finished', {
      streamId: 'a', runId: 1, pid: 1, reason: 'exited', exitCode: 1, signal: null, lastError: 'boom', durationMs: 5,
      next: 'backoff', restartDelayMs: 0, restartsInWindow: 1, countsAsRestart: true, progress: undefined, at: 1,
    });
    streams.emit('health', { streamId: 'a', from: 'healthy', to: 'unhealthy', state: 'running', reason: 'no progress', at: 2 });
    streams.emit('state', { streamId: 'a', from: 'backoff', to: 'crashloop', desired: 'running', at: 3 });
    watchdog.emit('recovery', { streamId: 'a', phase: 'action', action: 'drop-publisher', reason: 'unhealthy 30 s', at: 4 });
    watchdog.emit('recovery', { streamId: 'a', phase: 'action', action: 'next-input', reason: 'x', fromInput: 0, toInput: 1, at: 5 });
    streams.emit('health', { streamId: 'a', from: 'unhealthy', to: 'healthy', state: 'running', reason: 'ok', at: 6 });
    streams.emit('state', { streamId: 'b', from: 'stopping', to: 'stopped', desired: 'stopped', at: 7 });
    off();
    streams.emit('health', { streamId: 'a', from: 'healthy', to: 'unhealthy', state: 'running', reason: 'again', at: 8 });
    expect(calls).toEqual([
      '+unhealthy:a', '-degraded:a', '+crashloop:a', '!publisher-dropped:a', '!input-switched:a',
      '-unhealthy:a', '-degraded:a', '-crashloop:a', '-unhealthy:b', '-degraded:b', '-crashloop:b',
    ]);
    expect(reports[0]).toMatchObject({ title: 'A is unhealthy', lastError: 'boom', action: 'restarted automatically (run ended: exited)' });
    expect(reports[2]).toMatchObject({ action: 'drop-publisher: unhealthy 30 s' });
  });
});
