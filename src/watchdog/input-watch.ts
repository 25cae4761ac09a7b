/**
 * Fallback inputs of one pipeline stream: which input runs, when to leave it, and when to come
 * back. The decisions are input-failover.ts's; this shell feeds it and probes.
 *
 * - A run that ends unplanned with an input-side failure (failure-locus.ts: ffmpeg could not open
 *   or read the input) fails the input over at once. A run that ends unplanned for an unclear
 *   reason (stalled, exited at end of input, never started) gets the active input probed once
 *   with ffprobe: a failed probe fails it over.
 * - An input check (a configured ffprobe check of an input's URL) that turns failing fails the
 *   active input over; its results also count as probes of that input.
 * - While a fallback runs (`priority` mode), every better input is probed on its own interval
 *   with ffprobe; one that stays healthy for `returnAfter` takes over again.
 * - `rotate` mode (the motherstream queue): a dropped publisher or a failure moves to the next
 *   input, and there is no switching back.
 * Generated inputs (`lavfi:`) are not probed: they do not go away.
 */
import type { Redactor } from '../domain/redact.js';
import type { FailoverSpec, StreamInput } from '../domain/stream-spec.js';
import {
  activeInputFailed,
  advanceInput,
  createInputFailover,
  onPublisherDropped,
  recordProbe,
  type FailoverUpdate,
  type InputFailoverState,
  type InputSwitch,
} from '../domain/watchdog/input-failover.js';
import type { Clock } from '../ports/clock.js';
import type { HealthProbe, InputProbeFactory, ProbeResult } from '../ports/health-probe.js';
import type { Logger } from '../ports/logger.js';
import { CheckScheduler, type CheckOutcome } from './check-scheduler.js';
import { errorMessage } from '../domain/error-message.js';

export interface InputWatchOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redact: Redactor;
  readonly failover: FailoverSpec;
  readonly inputs: readonly StreamInput[];
  /** The input the stream starts on. */
  readonly active: number;
  /** Builds the probe of one input; undefined = never probed. */
  readonly createProbe: InputProbeFactory;
  /** Spreads the first probes of many streams apart. */
  readonly firstBeatMs?: number;
  /** The stream must move to `change.to` now. */
  readonly onSwitch: (change: InputSwitch) => void;
}

export interface InputWatchView {
  readonly mode: FailoverSpec['mode'];
  readonly active: number;
  readonly count: number;
  readonly switches: number;
  readonly lastSwitch?: InputSwitch;
  /** The latest probe of each input (undefined: never probed). */
  readonly probes: readonly { readonly lastOk?: boolean; readonly lastAt?: number; readonly healthySince?: number }[];
}

export class InputWatch {
  private state: InputFailoverState;
  private readonly probes: (HealthProbe | undefined)[];
  private readonly schedulers = new Map<number, CheckScheduler>();
  private confirming: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: InputWatchOptions) {
    const now = options.clock.now();
    const initial = createInputFailover(
      { inputCount: options.inputs.length, mode: options.failover.mode, returnAfterMs: options.failover.returnAfterMs },
      now,
    );
    this.state = { ...initial, active: options.active };
    this.probes = options.inputs.map((input, index) => options.createProbe(input, index, options.failover.probeTimeoutMs));
    this.arrangeProbes();
  }

  get active(): number {
    return this.state.active;
  }

  view(): InputWatchView {
    return {
      mode: this.state.config.mode,
      active: this.state.active,
      count: this.state.config.inputCount,
      switches: this.state.switches,
      ...(this.state.lastSwitch !== undefined && { lastSwitch: this.state.lastSwitch }),
      probes: this.state.probes,
    };
  }

  /** The stream is on another input than we thought (someone switched it): follow. */
  follow(active: number): void {
    if (active === this.state.active) return;
    this.state = { ...this.state, active, activeSince: this.options.clock.now() };
    this.arrangeProbes();
  }

  /** A run ended with an input-side failure (failure-locus.ts): fail the active input over. */
  inputFailed(reason: string): InputSwitch | undefined {
    return this.apply(activeInputFailed(this.state, this.options.clock.now(), reason));
  }

  /**
   * A run ended unplanned without a clear culprit: probe the active input once; a failed probe
   * fails it over. One confirmation at a time.
   */
  confirmActive(reason: string): void {
    const index = this.state.active;
    const probe = this.probes[index];
    if (probe === undefined || this.confirming !== undefined || this.stopped) return;
    const controller = new AbortController();
    const timer = this.options.clock.setTimer(this.options.failover.probeTimeoutMs, () => controller.abort(new Error('timed out')));
    this.confirming = probe
      .run(controller.signal)
      .catch((error: unknown): ProbeResult => ({ ok: false, message: errorMessage(error), durationMs: 0 }))
      .then((result) => {
        timer.cancel();
        this.confirming = undefined;
        if (this.stopped || this.state.active !== index) return;
        this.apply(recordProbe(this.state, { index, ok: result.ok, at: this.options.clock.now() }));
        if (!result.ok && this.state.active === index) this.inputFailed(`${reason}; probe of the input: ${result.message}`);
      });
  }

  /** The result of a configured input check for input `index`. */
  checkResult(index: number, ok: boolean, at: number): void {
    this.apply(recordProbe(this.state, { index, ok, at }));
  }

  /** The `next-input` action: the next input in order, whatever the probes say. */
  advance(reason: string): InputSwitch | undefined {
    return this.apply(advanceInput(this.state, this.options.clock.now(), reason));
  }

  /** The publisher was dropped at the RTMP server: in `rotate` mode the queue moves on. */
  publisherDropped(): InputSwitch | undefined {
    return this.apply(onPublisherDropped(this.state, this.options.clock.now()));
  }

  /**
   * The stale publisher of the active input was dropped: the stream leaves that input in either
   * mode (`rotate`: the next in the queue; `priority`: the next usable one, and back later).
   */
  activePublisherDropped(reason: string): InputSwitch | undefined {
    if (this.state.config.mode === 'rotate') return this.publisherDropped();
    return this.inputFailed(`its publisher was dropped: ${reason}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const pending = [...this.schedulers.values()].map((scheduler) => scheduler.stop());
    this.schedulers.clear();
    await Promise.all([...pending, this.confirming]);
  }

  private apply(update: FailoverUpdate): InputSwitch | undefined {
    this.state = update.state;
    if (update.note !== undefined) this.options.logger.info({ note: this.options.redact(update.note) }, 'input failover: nothing to switch to');
    if (update.switch === undefined) return undefined;
    this.arrangeProbes();
    if (!this.stopped) this.options.onSwitch(update.switch);
    return update.switch;
  }

  /** Probes every better input while a fallback runs (priority mode); nothing otherwise. */
  private arrangeProbes(): void {
    const wanted = new Set<number>();
    if (!this.stopped && this.state.config.mode === 'priority') {
      for (let index = 0; index < this.state.active; index++) if (this.probes[index] !== undefined) wanted.add(index);
    }
    for (const [index, scheduler] of this.schedulers) {
      if (wanted.has(index)) continue;
      void scheduler.stop();
      this.schedulers.delete(index);
    }
    for (const index of wanted) {
      if (this.schedulers.has(index)) continue;
      const probe = this.probes[index];
      if (probe === undefined) continue;
      const scheduler = new CheckScheduler({
        clock: this.options.clock,
        probe,
        intervalMs: this.options.failover.probeIntervalMs,
        timeoutMs: this.options.failover.probeTimeoutMs,
        firstBeatMs: this.options.firstBeatMs ?? 0,
        onOutcome: (outcome) => this.onProbe(index, outcome),
        onError: (error) => this.options.logger.error({ err: error }, 'input probe handler failed'),
      });
      this.schedulers.set(index, scheduler);
      scheduler.start();
    }
  }

  private onProbe(index: number, outcome: CheckOutcome): void {
    if (outcome.skipped === true) return;
    this.options.logger.debug({ input: index, ok: outcome.ok, message: outcome.message }, 'input probed');
    this.apply(recordProbe(this.state, { index, ok: outcome.ok, at: outcome.at }));
  }
}
