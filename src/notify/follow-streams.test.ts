import { describe, expect, it } from 'vitest';
import type { ConditionReport } from '../domain/alerts/alert-machine.js';
import type { StreamEventMap } from '../events/stream-events.js';
import { TypedEvents } from '../events/typed-events.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';
import type { AlertManager, EventReport } from './alert-manager.js';
import { followStreams } from './follow-streams.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';

/** Stream `a` in a crash loop, followed with a 10 s healthy threshold. */
function inCrashloop() {
  const { calls, manager } = recorder();
  const clock = new FakeClock();
  const streams = new TypedEvents<StreamEventMap>();
  const off = followStreams(manager, streams, undefined, { clock, healthyAfterMs: () => 10_000 });
  streams.emit('state', { streamId: 'a', from: 'backoff', to: 'crashloop', desired: 'running', at: 1 });
  return { calls, clock, streams, off };
}

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

  it('a brief healthy run does not end a crash loop; staying healthy for the threshold does', () => {
    const { calls, clock, streams, off } = inCrashloop();
    // A slow retry runs for 0.5 s, healthy by its progress, then crashes again.
    streams.emit('health', { streamId: 'a', from: 'unhealthy', to: 'healthy', state: 'running', reason: 'ok', at: 2 });
    clock.advance(500);
    streams.emit('health', { streamId: 'a', from: 'healthy', to: 'unhealthy', state: 'crashloop', reason: 'process is in crashloop', at: 3 });
    streams.emit('state', { streamId: 'a', from: 'running', to: 'crashloop', desired: 'running', at: 3 });
    clock.advance(20_000);
    expect(calls.filter((c) => c.includes('crashloop'))).toEqual(['+crashloop:a', '+crashloop:a']);
    // The next run stays healthy: the crash loop ends after 10 s of it, not before.
    streams.emit('health', { streamId: 'a', from: 'unhealthy', to: 'healthy', state: 'running', reason: 'ok', at: 4 });
    clock.advance(9_999);
    expect(calls).not.toContain('-crashloop:a');
    clock.advance(1);
    expect(calls.filter((c) => c === '-crashloop:a')).toHaveLength(1);
    off();
  });

  it('stopping the stream on purpose ends the crash loop at once', () => {
    const { calls, clock, streams, off } = inCrashloop();
    streams.emit('health', { streamId: 'a', from: 'unhealthy', to: 'healthy', state: 'running', reason: 'ok', at: 2 });
    streams.emit('state', { streamId: 'a', from: 'stopping', to: 'stopped', desired: 'stopped', at: 3 });
    expect(calls.filter((c) => c === '-crashloop:a')).toHaveLength(1);
    clock.advance(20_000);
    expect(calls.filter((c) => c === '-crashloop:a')).toHaveLength(1);
    off();
  });
});
