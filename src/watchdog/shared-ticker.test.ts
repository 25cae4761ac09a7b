import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { SharedTicker } from './shared-ticker.js';

function setup() {
  const clock = new FakeClock(0);
  const errors: unknown[] = [];
  const ticker = new SharedTicker(clock, (error) => errors.push(error));
  let timers = 0;
  const counted: typeof clock = Object.assign(Object.create(clock) as FakeClock, {
    setTimer: (ms: number, fn: () => void) => {
      timers += 1;
      return clock.setTimer(ms, fn);
    },
  });
  const countingTicker = new SharedTicker(counted, (error) => errors.push(error));
  return { clock, ticker, countingTicker, errors, timersArmed: () => timers };
}

describe('SharedTicker', () => {
  it('serves every subscriber of an interval from one timer, on a fixed cadence', () => {
    const { clock, countingTicker, timersArmed } = setup();
    const seen: string[] = [];
    for (const name of ['a', 'b', 'c']) countingTicker.every(1_000, () => seen.push(`${name}@${clock.now()}`));
    expect(timersArmed()).toBe(1);
    clock.advance(2_000);
    expect(seen).toEqual(['a@1000', 'b@1000', 'c@1000', 'a@2000', 'b@2000', 'c@2000']);
    // One timer per beat, whatever the number of subscribers.
    expect(timersArmed()).toBe(3);
  });

  it('keeps separate beats for separate intervals', () => {
    const { clock, ticker } = setup();
    const seen: string[] = [];
    ticker.every(1_000, () => seen.push(`fast@${clock.now()}`));
    ticker.every(1_500, () => seen.push(`slow@${clock.now()}`));
    clock.advance(3_000);
    expect(seen).toEqual(['fast@1000', 'slow@1500', 'fast@2000', 'slow@3000', 'fast@3000']);
  });

  it('stops calling a cancelled subscriber, and disarms once nobody is left', () => {
    const { clock, countingTicker, timersArmed } = setup();
    let a = 0;
    let b = 0;
    const first = countingTicker.every(1_000, () => (a += 1));
    const second = countingTicker.every(1_000, () => (b += 1));
    clock.advance(1_000);
    first.cancel();
    clock.advance(1_000);
    expect([a, b]).toEqual([1, 2]);
    second.cancel();
    expect(countingTicker.size).toBe(0);
    const armed = timersArmed();
    clock.advance(10_000);
    expect(timersArmed()).toBe(armed);
    expect(b).toBe(2);
  });

  it('lets a subscriber cancel another one during a beat', () => {
    const { clock, ticker } = setup();
    const seen: string[] = [];
    const handles: Array<{ cancel(): void }> = [];
    ticker.every(1_000, () => {
      seen.push('first');
      handles[0]?.cancel();
    });
    handles.push(ticker.every(1_000, () => seen.push('second')));
    clock.advance(1_000);
    expect(seen).toEqual(['first']);
  });

  it('reports a subscriber that throws and still calls the others', () => {
    const { clock, ticker, errors } = setup();
    let calls = 0;
    ticker.every(1_000, () => {
      throw new Error('broken stream');
    });
    ticker.every(1_000, () => (calls += 1));
    clock.advance(2_000);
    expect(calls).toBe(2);
    expect(errors.map((e) => (e as Error).message)).toEqual(['broken stream', 'broken stream']);
  });

  it('starts a fresh beat for an interval whose subscribers all left', () => {
    const { clock, ticker } = setup();
    const seen: number[] = [];
    ticker.every(1_000, () => undefined).cancel();
    clock.advance(300);
    ticker.every(1_000, () => seen.push(clock.now()));
    clock.advance(2_000);
    expect(seen).toEqual([1_300, 2_300]);
  });

  it('refuses an interval that is not positive', () => {
    const { ticker } = setup();
    expect(() => ticker.every(0, () => undefined)).toThrow('a tick interval must be positive, got 0');
  });
});
