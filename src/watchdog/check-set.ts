/**
 * The configured checks of one stream (all but progress, which ProgressCheck samples): each with
 * its state, its scheduler and probe built from the spec, and the input it probes. Records
 * outcomes (and the episodes of skipped beats), ticks late results, renews and resets states,
 * and runs the schedulers only while the stream is not stopped. What an outcome or a transition
 * means for the stream is the StreamWatchdog's (callbacks).
 */
import type { Redactor } from '../domain/redact.js';
import type { CheckSpec, StreamSpec } from '../domain/stream-spec.js';
import { createCheckState, judgementFromSpec, recordResult, resetCheck, tickCheck, type CheckState, type CheckTransition } from '../domain/watchdog/check-state.js';
import { renewCheck } from '../domain/watchdog/check-renewal.js';
import { skipEpisodeStep } from '../domain/watchdog/skip-episode.js';
import { checkUrl, inputsOf } from '../domain/watchdog/stream-endpoints.js';
import { errorMessage } from '../domain/error-message.js';
import type { Clock } from '../ports/clock.js';
import type { CheckProbeFactory, ProbeContext } from '../ports/health-probe.js';
import type { Logger } from '../ports/logger.js';
import { CheckScheduler, type CheckOutcome } from './check-scheduler.js';

export interface RunningCheck {
  readonly spec: CheckSpec;
  state: CheckState;
  readonly scheduler?: CheckScheduler;
  /** The input (index) whose URL this check probes, when it probes one. */
  readonly inputIndex?: number;
}

export interface CheckSetOptions {
  readonly spec: StreamSpec;
  readonly clock: Clock;
  readonly log: Logger;
  readonly redact: Redactor;
  /** Uniform in [0, 1): spreads the first beats of many checks apart. */
  readonly random: () => number;
  readonly createProbe: CheckProbeFactory;
  readonly context: ProbeContext;
  /** A probe's outcome arrived (record it with `record`). */
  readonly onOutcome: (check: RunningCheck, outcome: CheckOutcome) => void;
  /** Keeps a scheduler's stop in the owner's pending work. */
  readonly track: (promise: Promise<unknown>) => void;
}

export class CheckSet {
  readonly all: readonly RunningCheck[];
  private active = false;
  /** Checks in an episode of skipped beats (domain/watchdog/skip-episode.ts). */
  private readonly skipStreak = new Set<string>();

  constructor(private readonly options: CheckSetOptions) {
    const { spec } = options;
    const now = options.clock.now();
    const inputUrls = inputsOf(spec);
    this.all = spec.checks
      .filter((check) => check.type !== 'progress')
      .map((check) => {
        const url = checkUrl(check);
        const inputIndex = url === undefined ? -1 : inputUrls.indexOf(url);
        const running: RunningCheck = { spec: check, state: createCheckState(judgementFromSpec(check, spec.startTimeoutMs), now), ...(inputIndex >= 0 && { inputIndex }) };
        return this.withScheduler(running);
      });
  }

  /** The check with its scheduler, or noted as unable to run when its probe cannot be built. */
  private withScheduler(check: RunningCheck): RunningCheck {
    const { options } = this;
    const { spec } = check;
    try {
      const probe = options.createProbe(spec, options.context);
      const running: RunningCheck = {
        ...check,
        scheduler: new CheckScheduler({
          clock: options.clock,
          probe,
          intervalMs: spec.intervalMs,
          timeoutMs: spec.timeoutMs,
          firstBeatMs: Math.floor(options.random() * Math.min(spec.intervalMs, 1_000)),
          onOutcome: (outcome) => options.onOutcome(running, outcome),
          onError: (error) => options.log.error({ err: error, check: spec.name }, 'handling a check result failed'),
        }),
      };
      return running;
    } catch (error) {
      const message = options.redact(errorMessage(error));
      options.log.error({ check: spec.name, err: message }, 'check cannot run');
      return { ...check, state: { ...check.state, lastMessage: `cannot run: ${message}`, note: `cannot run: ${message}` } };
    }
  }

  /** Records an outcome into the check's state and logs the start and end of skipped-beat episodes. */
  record(check: RunningCheck, outcome: CheckOutcome): CheckTransition | undefined {
    const update = recordResult(check.state, outcome);
    check.state = update.state;
    const name = check.spec.name;
    const episode = skipEpisodeStep(this.skipStreak.has(name), outcome, check.spec.intervalMs);
    if (episode.inEpisode) this.skipStreak.add(name);
    else this.skipStreak.delete(name);
    const log = this.options.log;
    if (episode.event === 'started') log.warn({ check: name, intervalMs: check.spec.intervalMs }, 'check skipped a beat: its previous probe is still running (slower than its interval)');
    if (episode.event === 'ended') log.info({ check: name, intervalMs: check.spec.intervalMs, durationMs: outcome.durationMs }, 'check keeps up with its interval again');
    return update.transition;
  }

  /** The duration thresholds of checks whose results are late; `onTransition` runs as each one trips. */
  tick(now: number, onTransition: (check: RunningCheck, transition: CheckTransition) => void): void {
    for (const check of this.all) {
      const ticked = tickCheck(check.state, now);
      check.state = ticked.state;
      if (ticked.transition !== undefined) onTransition(check, ticked.transition);
    }
  }

  /** Every check back to `unknown` with a new start grace (a fresh start, an operator's restart). */
  reset(now: number): void {
    for (const check of this.all) check.state = resetCheck(check.state, now);
  }

  /** After a fix or a switch: a new grace, but a failing check stays failing until it passes (check-renewal.ts). */
  renew(now: number): void {
    for (const check of this.all) check.state = renewCheck(check.state, now);
  }

  /** Runs the schedulers (`wanted`) or stops them; starting gives every check a fresh grace. */
  run(wanted: boolean): void {
    if (wanted === this.active) return;
    this.active = wanted;
    if (wanted) {
      this.reset(this.options.clock.now());
      for (const check of this.all) check.scheduler?.start();
    } else {
      for (const check of this.all) if (check.scheduler !== undefined) this.options.track(check.scheduler.stop());
    }
  }

  /** Stops every scheduler; resolves once no probe runs. */
  async stop(): Promise<void> {
    await Promise.all(this.all.flatMap((check) => (check.scheduler === undefined ? [] : [check.scheduler.stop()])));
  }

  named(name: string): RunningCheck | undefined {
    return this.all.find((check) => check.spec.name === name);
  }
}
