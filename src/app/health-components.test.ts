import { describe, expect, it } from 'vitest';
import type { SupervisedStream } from '../ports/supervised-stream.js';
import { testStreamSpec } from '../../test/fakes/stream-spec.js';
import { healthComponents, type HealthSources } from './health-components.js';
import { Heartbeat } from './heartbeat.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';

const NOW = 1_700_000_000_000;

function stream(id: string, observed: SupervisedStream['observed'], desired: SupervisedStream['desired'] = 'running', restarts: number[] = []): SupervisedStream {
  const spec = testStreamSpec(id, { restart: { ...testStreamSpec(id).restart, budget: { restarts: 2, withinMs: 60_000 } } });
  return { spec, observed, desired, recentRestarts: () => restarts } as unknown as SupervisedStream;
}

function crashloopCheck(streams: SupervisedStream[], failOnCrashloop = true) {
  const sources: HealthSources = {
    heartbeat: new Heartbeat(new FakeClock(NOW), 1_000),
    phase: () => 'running',
    streamsConfigured: streams.length,
    storePath: 'x.db',
    storeTrouble: () => undefined,
    reconcilePasses: () => 1,
    streams: () => streams,
    now: () => NOW,
    failOnCrashloop,
  };
  const component = healthComponents(sources).find((c) => c.name === 'crashloop');
  expect(component?.kind).toBe('readiness');
  return component?.check();
}

describe('the crashloop readiness component', () => {
  it('passes without a crash loop, and for streams not wanted running', () => {
    expect(crashloopCheck([stream('a', 'running'), stream('b', 'crashloop', 'stopped')])).toEqual({ status: 'pass', message: 'no stream wanted running is in a crash loop' });
  });

  it('fails naming every stream in a crash loop, retries with the budget spent included', () => {
    expect(crashloopCheck([stream('cam', 'crashloop')])).toEqual({ status: 'fail', message: 'stream cam is wanted running but in a crash loop' });
    expect(crashloopCheck([stream('cam', 'crashloop'), stream('radio', 'starting', 'running', [NOW - 2_000, NOW - 1_000]), stream('ok', 'running')])).toEqual({
      status: 'fail',
      message: 'streams cam, radio are wanted running but in a crash loop',
    });
  });

  it('passes whatever the streams do with failOnCrashloop off', () => {
    expect(crashloopCheck([stream('cam', 'crashloop')], false)).toEqual({ status: 'pass', message: 'crash loops do not count (server.readiness.failOnCrashloop: false)' });
  });
});
