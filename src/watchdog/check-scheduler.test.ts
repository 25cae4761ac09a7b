import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { advance, FakeProbe, flush } from '../../test/fakes/fake-probe.js';
import { SKIPPED_MESSAGE } from '../domain/watchdog/check-state.js';
import { CheckScheduler, type CheckOutcome } from './check-scheduler.js';

let clock: FakeClock;
let start: number;

beforeEach(() => {
  clock = new FakeClock();
  start = clock.now();
});

function schedule(probe: FakeProbe, intervalMs: number, timeoutMs: number) {
  const outcomes: CheckOutcome[] = [];
  const scheduler = new CheckScheduler({ clock, probe, intervalMs, timeoutMs, onOutcome: (o) => outcomes.push(o) });
  scheduler.start();
  /** Outcomes as "t+seconds ok|fail|skip message". */
  const log = () => outcomes.map((o) => `${(o.at - start) / 1_000} ${o.skipped === true ? 'skip' : o.ok ? 'ok' : 'fail'}${o.ok || o.skipped === true ? '' : ` ${o.message}`}`);
  return { scheduler, outcomes, log };
}

describe('CheckScheduler', () => {
  it('runs the probe on a fixed cadence through the clock', async () => {
    const probe = new FakeProbe(clock, { ok: true, durationMs: 200 });
    const { log } = schedule(probe, 1_000, 500);
    await advance(clock, 3_500);
    expect(log()).toEqual(['0.2 ok', '1.2 ok', '2.2 ok', '3.2 ok']);
    expect(probe.runs).toBe(4);
  });

  it('never overlaps itself: a probe slower than its interval skips beats and says so, never queues', async () => {
    const probe = new FakeProbe(clock, { ok: true, durationMs: 2_500 });
    const { scheduler, log, outcomes } = schedule(probe, 1_000, 10_000);
    await advance(clock, 6_000);
    expect(probe.maxActive).toBe(1);
    // Beats at 0 (runs until 2.5), 1 and 2 skipped, 3 runs until 5.5, 4 and 5 skipped, 6 runs.
    expect(log()).toEqual(['1 skip', '2 skip', '2.5 ok', '4 skip', '5 skip', '5.5 ok']);
    expect(outcomes.find((o) => o.skipped === true)?.message).toBe(SKIPPED_MESSAGE);
    expect(scheduler.counts).toEqual({ runs: 3, skippedBeats: 4 });
  });

  it('kills a hung probe at its timeout and counts it as a failure', async () => {
    const probe = new FakeProbe(clock, { ok: true, hang: true });
    const { log } = schedule(probe, 3_000, 2_000);
    await advance(clock, 2_000);
    expect(probe.aborted).toBe(1); // the abort signal reached it: a real probe kills its process group
    expect(probe.active).toBe(0);
    expect(log()).toEqual(['2 fail timed out after 2 s']);
    probe.outcome = { ok: true };
    await advance(clock, 1_100);
    expect(log()).toEqual(['2 fail timed out after 2 s', '3 ok']);
  });

  it('a probe that ignores the abort is never run twice at once: every beat past its timeout is a failure', async () => {
    const probe = new FakeProbe(clock, { ok: true, hang: true, ignoreAbort: true });
    const { log } = schedule(probe, 1_000, 2_000);
    await advance(clock, 5_000);
    expect(probe.runs).toBe(1);
    expect(log()).toEqual([
      '1 skip',
      '2 fail timed out after 2 s',
      '2 skip', // the beat of the same instant: still inside one interval past the timeout
      '3 fail probe hung: still running 3 s after it was aborted at its 2 s timeout',
      '4 fail probe hung: still running 4 s after it was aborted at its 2 s timeout',
      '5 fail probe hung: still running 5 s after it was aborted at its 2 s timeout',
    ]);
    probe.release();
    probe.outcome = { ok: true };
    await advance(clock, 1_000);
    expect(probe.runs).toBe(2); // the next beat after the hung run ended starts a new one
    expect(log().at(-1)).toBe('6 ok');
  });

  it('reports the probe result of a run that ends just inside its timeout', async () => {
    const probe = new FakeProbe(clock, { ok: false, message: 'Input/output error', durationMs: 1_900 });
    const { log } = schedule(probe, 3_000, 2_000);
    await advance(clock, 2_500);
    expect(log()).toEqual(['1.9 fail Input/output error']);
  });

  it('a probe that throws or rejects is a failure, never an exception', async () => {
    const throwing = { kind: 'bad', run: (): Promise<never> => { throw new Error('boom'); } };
    const outcomes: CheckOutcome[] = [];
    const scheduler = new CheckScheduler({ clock, probe: throwing, intervalMs: 1_000, timeoutMs: 500, onOutcome: (o) => outcomes.push(o) });
    scheduler.start();
    clock.advance(0);
    await flush();
    expect(outcomes).toMatchObject([{ ok: false, message: 'probe error: boom' }]);
    await scheduler.stop();
  });

  it('stop aborts the probe in flight, resolves once it settled, and reports nothing more', async () => {
    const probe = new FakeProbe(clock, { ok: true, hang: true });
    const { scheduler, outcomes } = schedule(probe, 1_000, 10_000);
    clock.advance(0);
    expect(scheduler.inFlight).toBe(true);
    await scheduler.stop();
    expect(probe.aborted).toBe(1);
    expect(scheduler.inFlight).toBe(false);
    await advance(clock, 5_000);
    expect(outcomes).toEqual([]);
    expect(clock.armed).toBe(0);
  });
});
