/**
 * The real clock: the only place in the code base that reads wall-clock time or arms real
 * timers. Everything else receives a `Clock` so unit tests can drive time by hand.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    // Plain (ref'd) timers on purpose: a pending restart or stop escalation must keep firing.
    const timer = setTimeout(fn, Math.max(0, ms));
    return {
      cancel(): void {
        clearTimeout(timer);
      },
    };
  }
}

/** A shared instance for the composition root; it holds no state. */
export const systemClock: Clock = new SystemClock();
