/**
 * The lifecycle's named deadlines (start, stall, backoff, kill), performed from its `set-timer`
 * and `clear-timer` effects. One timer per name: setting it again replaces it, clearing cancels it,
 * and a superseded timer never fires.
 */
import type { TimerName } from '../domain/lifecycle.js';
import type { Clock, TimerHandle } from '../ports/clock.js';

/** A timer that may fire before its (moved) due time and then re-arms itself for the rest. */
interface ArmedTimer {
  due: number;
  readonly firesAt: number;
  readonly handle: TimerHandle;
}

export class DeadlineTimers {
  private readonly timers = new Map<TimerName, ArmedTimer>();

  constructor(
    private readonly clock: Clock,
    /** Called when a deadline is reached (never for a cleared or superseded one). */
    private readonly onDue: (timer: TimerName) => void,
  ) {}

  /**
   * Arms `timer` to fire `ms` from now. Pushing a deadline later (the stall timer, re-armed on
   * every progress block) only moves the due time; the armed timer re-arms itself for the rest
   * when it fires early, so steady progress costs no timer churn.
   */
  set(timer: TimerName, ms: number): void {
    const due = this.clock.now() + ms;
    const armed = this.timers.get(timer);
    if (armed && armed.firesAt <= due) {
      armed.due = due;
      return;
    }
    armed?.handle.cancel();
    this.arm(timer, due);
  }

  clear(timer: TimerName): void {
    this.timers.get(timer)?.handle.cancel();
    this.timers.delete(timer);
  }

  private arm(timer: TimerName, due: number): void {
    const firesAt = due;
    const entry: ArmedTimer = {
      due,
      firesAt,
      handle: this.clock.setTimer(Math.max(0, due - this.clock.now()), () => {
        if (this.timers.get(timer) !== entry) return; // superseded
        if (entry.due > this.clock.now()) {
          this.arm(timer, entry.due);
          return;
        }
        this.timers.delete(timer);
        this.onDue(timer);
      }),
    };
    this.timers.set(timer, entry);
  }
}
