/**
 * One timer per interval, shared by every subscriber with that interval. A thousand streams each
 * sampling their progress once a second would otherwise wake the daemon a thousand times a
 * second at a thousand different instants; sharing the beat makes it one wake-up that serves
 * them all. Beats keep a fixed cadence from the first subscriber; beats missed while the event
 * loop was blocked are not made up for. A subscriber that throws is reported and never stops
 * the others.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';

type Subscriber = () => void;

interface Beat {
  readonly subscribers: Set<Subscriber>;
  timer: TimerHandle | undefined;
  nextDue: number;
}

export class SharedTicker {
  private readonly beats = new Map<number, Beat>();

  constructor(
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Calls `fn` every `intervalMs` (sharing the beat of that interval) until cancelled. */
  every(intervalMs: number, fn: () => void): TimerHandle {
    if (!(intervalMs > 0)) throw new RangeError(`a tick interval must be positive, got ${intervalMs}`);
    // One wrapper per subscription, so subscribing the same function twice gives two independent handles.
    const subscriber: Subscriber = () => fn();
    let beat = this.beats.get(intervalMs);
    if (beat === undefined) {
      beat = { subscribers: new Set(), timer: undefined, nextDue: this.clock.now() + intervalMs };
      this.beats.set(intervalMs, beat);
      this.arm(intervalMs, beat);
    }
    beat.subscribers.add(subscriber);
    const owner = beat;
    return {
      cancel: () => {
        owner.subscribers.delete(subscriber);
        if (owner.subscribers.size > 0 || this.beats.get(intervalMs) !== owner) return;
        owner.timer?.cancel();
        this.beats.delete(intervalMs);
      },
    };
  }

  /** Subscribers now, over every interval. */
  get size(): number {
    let total = 0;
    for (const beat of this.beats.values()) total += beat.subscribers.size;
    return total;
  }

  private arm(intervalMs: number, beat: Beat): void {
    beat.timer = this.clock.setTimer(Math.max(0, beat.nextDue - this.clock.now()), () => this.fire(intervalMs, beat));
  }

  private fire(intervalMs: number, beat: Beat): void {
    if (this.beats.get(intervalMs) !== beat) return;
    const now = this.clock.now();
    beat.nextDue += intervalMs;
    if (beat.nextDue <= now) beat.nextDue = now + intervalMs;
    this.arm(intervalMs, beat);
    // A snapshot: a subscriber may cancel itself or another one while the beat runs.
    for (const subscriber of [...beat.subscribers]) {
      if (!beat.subscribers.has(subscriber)) continue;
      try {
        subscriber();
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
