import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import type { EngineClient, PollAnswer } from '../domain/engines/engine-client.js';
import type { EngineSpec } from '../domain/engines/engine-spec.js';
import { EnginePoller } from './engine-poller.js';
import { EngineRegistry } from './engine-registry.js';

const spec = (id: string): EngineSpec => ({ id, host: '127.0.0.1', port: 1, kind: 'acestream', capacity: 1, labels: {} });

/** Lets settled promises run their callbacks (no timers, no sleeping). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

type Behaviour = 'ok' | 'fail' | 'garbage' | 'hang' | 'manual' | 'throw';

class FakeClients {
  behaviour = new Map<string, Behaviour>();
  calls: string[] = [];
  active = 0;
  peak = 0;
  aborted: string[] = [];
  private pending = new Map<string, (answer: PollAnswer) => void>();

  clientFor = (engine: EngineSpec): EngineClient => ({
    poll: (signal) => {
      const id = engine.id;
      this.calls.push(id);
      const behaviour = this.behaviour.get(id) ?? 'ok';
      if (behaviour === 'throw') throw new Error('client bug');
      this.active += 1;
      this.peak = Math.max(this.peak, this.active);
      signal.addEventListener('abort', () => this.aborted.push(id));
      const done = <T>(value: T): T => {
        this.active -= 1;
        return value;
      };
      if (behaviour === 'ok') return Promise.resolve(done({ kind: 'ok', message: 'ok' }));
      if (behaviour === 'fail') return Promise.resolve(done({ kind: 'failed', message: 'HTTP 500' }));
      if (behaviour === 'garbage') return Promise.resolve(done({ kind: 'unparsable', message: 'not JSON' }));
      // hang: never settles, ignores the abort; manual: settled by the test.
      return new Promise<PollAnswer>((resolve) => {
        if (behaviour === 'manual') this.pending.set(id, (answer) => resolve(done(answer)));
      });
    },
  });

  answer(id: string, answer: PollAnswer = { kind: 'ok', message: 'ok' }): void {
    this.pending.get(id)?.(answer);
    this.pending.delete(id);
  }
}

function setup(count: number, options: { maxInFlight?: number; intervalMs?: number; timeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const registry = new EngineRegistry({ clock, health: { graceMs: 0, failureThreshold: 1, successThreshold: 1 } });
  for (let i = 0; i < count; i++) registry.add(spec(`e${i}`));
  const clients = new FakeClients();
  const poller = new EnginePoller({
    clock,
    target: registry,
    clientFor: clients.clientFor,
    intervalMs: options.intervalMs ?? 30_000,
    timeoutMs: options.timeoutMs ?? 5_000,
    maxInFlight: options.maxInFlight ?? 100,
    jitterRatio: 0.1,
    random: () => 0.5,
  });
  return { clock, registry, clients, poller, status: (id: string) => registry.get(id).health.status };
}

describe('EnginePoller', () => {
  it('polls every engine at start and records ok, failed and unparsable', async () => {
    const h = setup(3);
    h.clients.behaviour.set('e1', 'fail');
    h.clients.behaviour.set('e2', 'garbage');
    h.poller.start();
    h.clock.advance(0);
    await flush();
    expect([h.status('e0'), h.status('e1'), h.status('e2')]).toEqual(['healthy', 'unhealthy', 'degraded']);
    expect(h.registry.get('e1').health.lastError).toBe('HTTP 500');
    expect(h.poller.stats.lastRound).toMatchObject({ engines: 3, ok: 1, failed: 1, unparsable: 1, timedOut: 0 });
    await h.poller.stop();
  });

  it('never has more than maxInFlight polls running', async () => {
    const h = setup(10, { maxInFlight: 3 });
    for (let i = 0; i < 10; i++) h.clients.behaviour.set(`e${i}`, 'manual');
    h.poller.start();
    h.clock.advance(0);
    expect(h.clients.calls).toEqual(['e0', 'e1', 'e2']);
    for (let i = 0; i < 10; i++) {
      h.clients.answer(`e${i}`);
      await flush();
    }
    expect(h.clients.calls).toHaveLength(10);
    expect(h.clients.peak).toBe(3);
    expect(h.poller.stats.lastRound?.peakInFlight).toBe(3);
    await h.poller.stop();
  });

  it('starts at most maxStartsPerTick polls per turn, then yields through the clock', async () => {
    const h = setup(250, { maxInFlight: 1_000 });
    for (let i = 0; i < 250; i++) h.clients.behaviour.set(`e${i}`, 'manual');
    const round = h.poller.runRound();
    expect(h.clients.calls).toHaveLength(100);
    expect(h.clock.armed).toBe(101); // 100 poll timeouts + the continuation
    h.clock.advance(0);
    expect(h.clients.calls).toHaveLength(250);
    for (let i = 0; i < 250; i++) h.clients.answer(`e${i}`);
    expect(await round).toMatchObject({ engines: 250, ok: 250, peakInFlight: 250 });
  });

  it('counts polls started as others settle against the same turn budget', async () => {
    const h = setup(250, { maxInFlight: 1_000 });
    for (let i = 0; i < 250; i++) h.clients.behaviour.set(`e${i}`, 'manual');
    const round = h.poller.runRound();
    expect(h.clients.calls).toHaveLength(100);
    // Answers arriving in the same turn start nothing more: the turn's budget is spent.
    for (let i = 0; i < 50; i++) h.clients.answer(`e${i}`);
    await flush();
    expect(h.clients.calls).toHaveLength(100);
    h.clock.advance(0);
    expect(h.clients.calls).toHaveLength(250);
    for (let i = 50; i < 250; i++) h.clients.answer(`e${i}`);
    expect(await round).toMatchObject({ engines: 250, ok: 250 });
  });

  it('polls the engines that timed out first in the next round', async () => {
    const h = setup(5, { timeoutMs: 1_000 });
    h.clients.behaviour.set('e3', 'hang');
    const first = h.poller.runRound();
    await flush();
    h.clock.advance(1_000);
    expect(await first).toMatchObject({ timedOut: 1 });
    h.clients.calls.length = 0;
    h.clients.behaviour.set('e3', 'ok');
    const second = h.poller.runRound();
    await flush();
    expect(h.clients.calls).toEqual(['e3', 'e0', 'e1', 'e2', 'e4']);
    await second;
    // It answered: back in its place.
    h.clients.calls.length = 0;
    const third = h.poller.runRound();
    await flush();
    expect(h.clients.calls).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    await third;
  });

  it('stop ends a round that waits between bursts', async () => {
    const h = setup(150, { maxInFlight: 1_000 });
    for (let i = 0; i < 150; i++) h.clients.behaviour.set(`e${i}`, 'manual');
    const round = h.poller.runRound();
    expect(h.clients.calls).toHaveLength(100);
    await h.poller.stop();
    expect((await round).engines).toBe(150);
    expect(h.clients.calls).toHaveLength(100);
    expect(h.clients.aborted).toHaveLength(100);
  });

  it('times a hung engine out without delaying the others, and aborts it', async () => {
    const h = setup(4, { maxInFlight: 2 });
    h.clients.behaviour.set('e0', 'hang');
    h.poller.start();
    h.clock.advance(0);
    await flush();
    // e0 holds one slot; e1, e2, e3 went through the other at once.
    expect(['e1', 'e2', 'e3'].map(h.status)).toEqual(['healthy', 'healthy', 'healthy']);
    expect(h.status('e0')).toBe('unknown');
    expect(h.poller.stats.rounds).toBe(0);
    h.clock.advance(4_999);
    await flush();
    expect(h.status('e0')).toBe('unknown');
    h.clock.advance(1);
    await flush();
    expect(h.status('e0')).toBe('unhealthy');
    expect(h.registry.get('e0').health.lastError).toBe('timed out after 5 s');
    expect(h.clients.aborted).toEqual(['e0']);
    expect(h.poller.stats.lastRound).toMatchObject({ durationMs: 5_000, timedOut: 1, failed: 1, ok: 3 });
    await h.poller.stop();
  });

  it('never overlaps rounds: a round longer than the interval delays the next one', async () => {
    const h = setup(2, { intervalMs: 3_000, timeoutMs: 5_000 });
    h.clients.behaviour.set('e0', 'hang');
    h.poller.start();
    h.clock.advance(0);
    await flush();
    expect(h.clients.calls).toEqual(['e0', 'e1']);
    h.clock.advance(4_000);
    await flush();
    expect(h.clients.calls).toEqual(['e0', 'e1']);
    h.clock.advance(1_000); // e0 times out: the round ends at 5 s, the next starts at once (overrun)
    await flush();
    h.clock.advance(0);
    await flush();
    expect(h.clients.calls).toEqual(['e0', 'e1', 'e0', 'e1']);
    expect(h.poller.stats.overruns).toBe(1);
    await h.poller.stop();
  });

  it('repeats every interval with jitter and polls added engines at once', async () => {
    const h = setup(1);
    const random = 1; // +10 %: the next round is due 33 s after the first began
    const poller = new EnginePoller({ clock: h.clock, target: h.registry, clientFor: h.clients.clientFor, intervalMs: 30_000, jitterRatio: 0.1, random: () => random });
    poller.start();
    h.clock.advance(0);
    await flush();
    expect(h.clients.calls).toEqual(['e0']);
    h.clock.advance(30_000);
    await flush();
    expect(h.clients.calls).toEqual(['e0']);
    h.clock.advance(3_000);
    await flush();
    expect(h.clients.calls).toEqual(['e0', 'e0']);
    h.registry.add(spec('late'));
    await flush();
    expect(h.clients.calls).toEqual(['e0', 'e0', 'late']);
    expect(h.status('late')).toBe('healthy');
    await poller.stop();
    expect(h.clock.armed).toBe(0);
  });

  it('a client that throws is a failed poll, not a crash', async () => {
    const h = setup(2);
    h.clients.behaviour.set('e0', 'throw');
    await h.poller.runRound();
    expect(h.status('e0')).toBe('unhealthy');
    expect(h.registry.get('e0').health.lastError).toContain('client bug');
    expect(h.status('e1')).toBe('healthy');
  });

  it('stop aborts in-flight polls and records nothing for them', async () => {
    const h = setup(1);
    h.clients.behaviour.set('e0', 'manual');
    h.poller.start();
    h.clock.advance(0);
    const stopped = h.poller.stop();
    h.clients.answer('e0', { kind: 'failed', message: 'aborted' });
    await stopped;
    expect(h.clients.aborted).toEqual(['e0']);
    expect(h.status('e0')).toBe('unknown');
    expect(h.clock.armed).toBe(0);
  });
});
