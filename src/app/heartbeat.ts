/**
 * Proves the daemon's timers still fire: /livez fails when the event loop is blocked or the
 * timer chain broke, without checking any dependency.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';

export class Heartbeat {
  private lastBeat: number;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
  ) {
    this.lastBeat = clock.now();
  }

  start(): void {
    this.lastBeat = this.clock.now();
    const beat = () => {
      this.lastBeat = this.clock.now();
      this.timer = this.clock.setTimer(this.periodMs, beat);
    };
    this.timer = this.clock.setTimer(this.periodMs, beat);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** True when the last beat is no older than `toleranceMs`. */
  isLive(toleranceMs: number): boolean {
    return this.timer !== undefined && this.clock.now() - this.lastBeat <= toleranceMs;
  }
}
