import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { Heartbeat } from './heartbeat.js';

describe('Heartbeat', () => {
  it('is live while its timer keeps firing, and not once stopped', () => {
    const clock = new FakeClock();
    const heartbeat = new Heartbeat(clock, 1_000);
    expect(heartbeat.isLive(5_000)).toBe(false);
    heartbeat.start();
    clock.advance(60_000);
    expect(heartbeat.isLive(5_000)).toBe(true);
    heartbeat.stop();
    expect(heartbeat.isLive(5_000)).toBe(false);
  });

  it('is not live when the last beat is older than the tolerance', () => {
    let now = 0;
    const frozen = { now: () => now, setTimer: () => ({ cancel: () => {} }) };
    const heartbeat = new Heartbeat(frozen, 1_000);
    heartbeat.start();
    now = 5_000;
    expect(heartbeat.isLive(5_000)).toBe(true);
    now = 5_001;
    expect(heartbeat.isLive(5_000)).toBe(false);
  });
});
