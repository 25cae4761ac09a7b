/**
 * Runs one check's probe on its own interval, through the Clock. One scheduler per check of a
 * stream; nothing is shared between checks or streams (no global lock, no queue), so a slow or
 * hung probe delays nothing but itself.
 *
 *   beat ──▶ previous probe still running? ── no ──▶ run the probe (AbortSignal), arm its timeout
 *                      │ yes
 *                      ├── within its timeout ──────▶ a skipped beat (reported, never queued)
 *                      └── hung past its timeout ───▶ a failure: "probe hung", the abort did not end it
 *
 *   timeout ──▶ abort the probe (it kills its process group) and report a failure at once
 *
 * Guarantees: a check never runs twice at the same time; a beat that finds its probe still
 * running records a skipped beat and says so; a probe that hangs is aborted at its timeout and
 * counted as a failure (its late result is ignored). Beats keep a fixed cadence from the first
 * one: a slow probe does not shift them, and beats missed while the event loop was blocked are
 * not made up for.
 */
import { SKIPPED_MESSAGE, type CheckResult } from '../domain/watchdog/check-state.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { HealthProbe, ProbeResult } from '../ports/health-probe.js';
import { errorMessage } from '../domain/error-message.js';

/** One result of a check: a probe's, a timeout, or a skipped beat. */
export interface CheckOutcome extends CheckResult {
  /** The probe's observations (already redacted by the probe). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The probe ran past its timeout and was aborted. */
  readonly timedOut?: boolean;
}

export interface CheckSchedulerOptions {
  readonly clock: Clock;
  readonly probe: HealthProbe;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Delay of the first beat (spreads many checks apart). @default 0 */
  readonly firstBeatMs?: number;
  /** Every outcome, in order. Must not throw (a throw is passed to `onError`). */
  readonly onOutcome: (outcome: CheckOutcome) => void;
  readonly onError?: (error: unknown) => void;
}

interface Flight {
  readonly controller: AbortController;
  readonly startedAt: number;
  /** Settles once the probe's promise has settled. */
  readonly settled: Promise<void>;
  timeout?: TimerHandle;
  /** An outcome was reported for this run (by the probe, or by the timeout). */
  reported: boolean;
  timedOut: boolean;
}

export function secondsText(ms: number): string {
  const seconds = ms / 1_000;
  return `${Number(seconds.toFixed(seconds >= 10 ? 0 : 1))} s`;
}

export class CheckScheduler {
  private beatTimer: TimerHandle | undefined;
  private nextDue = 0;
  private flight: Flight | undefined;
  private active = false;
  private started = 0;
  private skipped = 0;

  constructor(private readonly options: CheckSchedulerOptions) {}

  /** Starts the beats (a no-op when already started). */
  start(): void {
    if (this.active) return;
    this.active = true;
    const first = Math.max(0, this.options.firstBeatMs ?? 0);
    this.nextDue = this.options.clock.now() + first;
    this.beatTimer = this.options.clock.setTimer(first, () => this.beat());
  }

  /**
   * Stops the beats and aborts a probe in flight; resolves once that probe has settled (probes
   * resolve promptly on abort: they kill what they started). Safe to call twice.
   */
  stop(): Promise<void> {
    this.active = false;
    this.beatTimer?.cancel();
    this.beatTimer = undefined;
    const flight = this.flight;
    if (flight === undefined) return Promise.resolve();
    flight.timeout?.cancel();
    flight.reported = true; // a result after the stop is nobody's business
    flight.controller.abort(new Error('check stopped'));
    return flight.settled;
  }

  /** A probe is running now. */
  get inFlight(): boolean {
    return this.flight !== undefined;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Probe runs started and beats skipped since creation. */
  get counts(): { readonly runs: number; readonly skippedBeats: number } {
    return { runs: this.started, skippedBeats: this.skipped };
  }

  private beat(): void {
    if (!this.active) return;
    const { clock, intervalMs, timeoutMs } = this.options;
    const now = clock.now();
    this.nextDue += intervalMs;
    if (this.nextDue <= now) this.nextDue = now + intervalMs; // beats missed while blocked are not made up
    this.beatTimer = clock.setTimer(this.nextDue - now, () => this.beat());

    const flight = this.flight;
    if (flight === undefined) {
      this.launch(now);
      return;
    }
    const overdueMs = now - (flight.startedAt + timeoutMs);
    if (flight.timedOut && overdueMs >= intervalMs) {
      // The abort did not end it (a probe bug): still a failure on every beat, never a second run.
      this.emit({
        ok: false,
        message: `probe hung: still running ${secondsText(now - flight.startedAt)} after it was aborted at its ${secondsText(timeoutMs)} timeout`,
        at: now,
        durationMs: now - flight.startedAt,
        timedOut: true,
      });
      return;
    }
    this.skipped += 1;
    this.emit({ ok: false, skipped: true, message: SKIPPED_MESSAGE, at: now, durationMs: now - flight.startedAt });
  }

  private launch(now: number): void {
    const { clock, probe, timeoutMs } = this.options;
    this.started += 1;
    const controller = new AbortController();
    let promise: Promise<ProbeResult>;
    try {
      promise = probe.run(controller.signal);
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const flight: Flight = {
      controller,
      startedAt: now,
      reported: false,
      timedOut: false,
      settled: promise.then(
        (result) => this.finish(flight, result),
        (error: unknown) => {
          const message = errorMessage(error);
          this.finish(flight, { ok: false, message: `probe error: ${message}`, durationMs: clock.now() - flight.startedAt });
        },
      ),
    };
    this.flight = flight;
    flight.timeout = clock.setTimer(timeoutMs, () => {
      if (this.flight !== flight || flight.reported) return;
      flight.timedOut = true;
      flight.reported = true;
      controller.abort(new Error(`timed out after ${secondsText(timeoutMs)}`));
      this.emit({ ok: false, message: `timed out after ${secondsText(timeoutMs)}`, at: clock.now(), durationMs: timeoutMs, timedOut: true });
    });
  }

  private finish(flight: Flight, result: ProbeResult): void {
    flight.timeout?.cancel();
    if (this.flight === flight) this.flight = undefined;
    if (flight.reported) return;
    flight.reported = true;
    const at = this.options.clock.now();
    this.emit({
      ok: result.ok,
      message: result.message,
      at,
      durationMs: Math.max(0, result.durationMs),
      ...(result.details !== undefined && { details: result.details }),
    });
  }

  private emit(outcome: CheckOutcome): void {
    if (!this.active) return;
    try {
      this.options.onOutcome(outcome);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
