/**
 * The watchdog of one stream: runs its checks, derives its health, and runs its ONE recovery
 * decider. The fast layer (StreamSupervisor) restarts a process that dies or stalls; this layer
 * catches the rest — the process is alive but the stream is not.
 *
 *   check schedulers ─┐                                    ┌─▶ restart (StreamSupervisor.restart)
 *   progress sampler ─┼─▶ check states ─▶ deriveStreamHealth ─▶ decideRecovery ─┼─▶ drop-publisher (RtmpServer)
 *   lifecycle events ─┘        │               │                                ├─▶ next-input (switchInput)
 *                              │               └─▶ the stream's health          └─▶ notify (notification event)
 *                              └─▶ metrics (recordCheck)        (one source of truth)
 *
 * One decider per stream: the stream's health comes from here (`setHealthSource`), crash-loop
 * retries are handed over to this decider (`delegateCrashloopRetries`), and a watchdog restart is
 * a counted restart (`restart('watchdog')`): it spends the restart budget the two layers share
 * (`fastRestarts`), so restarts that do not cure a fault lead to the crash-loop regime. The stall verdict of the
 * progress check is shown in the health but acted on by the fast layer alone.
 *
 * Actions run one batch at a time per stream; no lock is shared with other streams, and checks
 * never wait for actions (nor actions for checks).
 */
import { isAlreadyPublishingError } from './stale-session.js';
import type { ObservedState } from '../domain/lifecycle.js';
import { DEFAULT_DROP_PUBLISHER_TARGET, DEFAULT_FAILOVER, type CheckSpec } from '../domain/stream-spec.js';
import type { CheckTransition } from '../domain/watchdog/check-state.js';
import { ladderDropsInput } from '../domain/watchdog/drop-target.js';
import type { Endpoints } from '../domain/watchdog/endpoint-match.js';
import { classifyFailure } from '../domain/watchdog/failure-locus.js';
import type { InputSwitch } from '../domain/watchdog/input-failover.js';
import { decideWithInputSide, inputSideFailure } from '../domain/watchdog/input-side.js';
import {
  INITIAL_RECOVERY_STATE,
  noteIntentionalRestart,
  recoveryConfigFromSpec,
  type RecoveredEpisode,
  type RecoveryPolicyConfig,
  type RecoveryState,
} from '../domain/watchdog/recovery-policy.js';
import { inputsOf, outputOf } from '../domain/watchdog/stream-endpoints.js';
import type { StreamHealthReport } from '../domain/watchdog/stream-health.js';
import { deriveWatchdogReport } from '../domain/watchdog/watchdog-report.js';
import type { TimerHandle } from '../ports/clock.js';
import type { ProbeContext } from '../ports/health-probe.js';
import type { Logger } from '../ports/logger.js';
import type { RtmpServer } from '../ports/rtmp-server.js';
import type { HealthChanged, RunFinished, StateChanged, StreamIntent } from '../events/stream-events.js';
import type { HealthVerdict, SupervisedStream } from '../ports/supervised-stream.js';
import type { CheckOutcome } from './check-scheduler.js';
import { CheckSet, type RunningCheck } from './check-set.js';
import { ActionExecutor } from './action-executor.js';
import { classifyNow, classifyRunEnd } from './failure-evidence.js';
import { InputWatch } from './input-watch.js';
import { ProgressCheck } from './progress-check.js';
import { RecoveryRecords, type ClassifiedFailure } from './recovery-records.js';
import { FastRecoveries } from './fast-recoveries.js';
import { PublisherControl } from './publisher-control.js';
import { StreamNotices } from './stream-notices.js';
import { streamWatchdogView, type WatchdogStreamView } from './watchdog-view.js';
import { errorMessage } from '../domain/error-message.js';

import type { StreamWatchdogDeps } from './stream-watchdog-deps.js';
export type { StreamWatchdogDeps, WatchdogMetrics } from './stream-watchdog-deps.js';

const secs = (ms: number): number => Math.max(0, Math.round(ms / 1_000));

export class StreamWatchdog {
  private readonly log: Logger;
  private readonly policy: RecoveryPolicyConfig;
  private readonly checks: CheckSet;
  private readonly progress: ProgressCheck;
  private readonly inputs: InputWatch | undefined;
  private readonly endpoints: Endpoints;
  private readonly output: string | undefined;
  private readonly server: RtmpServer | undefined;
  private readonly publisher: PublisherControl;
  private readonly notices: StreamNotices;
  private readonly actions: ActionExecutor;
  /** Inputs whose failure the ladder handles (drop their stale publisher first), not the immediate failover. */
  private readonly ladderInputs = new Set<number>();
  private recovery: RecoveryState = INITIAL_RECOVERY_STATE;
  private report: StreamHealthReport;
  private decision = 'not evaluated yet';
  private tickTimer: TimerHandle | undefined;
  private stopped = false;
  private readonly recoveries: RecoveryRecords;
  private readonly fast: FastRecoveries;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly stream: SupervisedStream,
    private readonly deps: StreamWatchdogDeps,
  ) {
    const spec = stream.spec;
    const now = deps.clock.now();
    this.log = deps.logger.child({ stream: spec.id, layer: 'watchdog' });
    this.notices = new StreamNotices(stream, deps);
    this.recoveries = new RecoveryRecords(spec.id, (at) => this.classifyNow(this.report, this.stream.observed, at));
    this.fast = new FastRecoveries({
      streamId: spec.id,
      stallTimeoutMs: spec.stallTimeoutMs,
      record: (record, at) => {
        this.recoveries.keep(record); // its duration is measured by the metrics from the lifecycle already
        this.deps.events.emit('recovery', { streamId: this.streamId, phase: 'recovered', layer: 'fast', record, at });
      },
    });
    this.policy = recoveryConfigFromSpec(spec, deps.policy);
    this.output = outputOf(spec);
    this.endpoints = {
      inputs: inputsOf(spec).map(deps.redact),
      ...(this.output !== undefined && { output: deps.redact(this.output) }),
    };
    this.server = spec.rtmpServer === undefined ? undefined : deps.rtmpServers.get(spec.rtmpServer);
    this.publisher = new PublisherControl({
      server: this.server,
      output: this.output,
      clock: deps.clock,
      log: this.log,
      redact: deps.redact,
      ...(deps.staleSessionTimeoutMs !== undefined && { staleSessionTimeoutMs: deps.staleSessionTimeoutMs }),
      announce: (action, reason) => this.notices.announce(action, reason),
    });
    this.progress = new ProgressCheck(
      spec.checks.find((check) => check.type === 'progress'),
      now,
    );

    const source = spec.source;
    if (source.kind === 'pipeline' && source.inputs.length > 1) {
      this.inputs = new InputWatch({
        clock: deps.clock,
        logger: this.log,
        redact: deps.redact,
        failover: spec.failover ?? DEFAULT_FAILOVER,
        inputs: source.inputs,
        active: stream.activeInput,
        createProbe: deps.createInputProbe,
        firstBeatMs: Math.floor(deps.random() * 1_000),
        onSwitch: (change) => this.onInputSwitch(change),
      });
    }

    const context: ProbeContext = {
      ffprobePath: deps.ffprobePath,
      ffmpegPath: deps.ffmpegPath,
      redact: deps.redact,
      clock: deps.clock,
      pid: () => this.stream.status().pid,
      ...(this.server !== undefined && { rtmpServer: this.server }),
      ...(this.output !== undefined && { outputUrl: this.output }),
    };
    this.checks = new CheckSet({
      spec,
      clock: deps.clock,
      log: this.log,
      redact: deps.redact,
      random: deps.random,
      createProbe: deps.createProbe,
      context,
      onOutcome: (check, outcome) => this.onOutcome(check, outcome),
      track: (promise) => this.track(promise),
    });
    const dropTarget = spec.dropPublisher?.target ?? DEFAULT_DROP_PUBLISHER_TARGET;
    inputsOf(spec).forEach((inputUrl, index) => {
      const probed = this.checks.all.some((check) => check.inputIndex === index && !check.spec.informational);
      if (this.server !== undefined && ladderDropsInput({ ladder: spec.onUnhealthy, target: dropTarget, inputUrl, probed })) this.ladderInputs.add(index);
    });
    this.actions = new ActionExecutor({
      stream,
      clock: deps.clock,
      redact: deps.redact,
      log: this.log,
      notices: this.notices,
      checks: this.checks,
      inputs: this.inputs,
      publisher: this.publisher,
      dropTarget,
      isStopped: () => this.stopped,
      recoveryCycles: () => this.recovery.cycles,
      failingChecks: () => this.failingChecks(),
    });
    this.report = this.derive(stream.observed, false);
  }

  get streamId(): string {
    return this.stream.spec.id;
  }

  /** Takes over the stream's health and crash-loop retries, and starts checks and sampling. */
  start(): void {
    this.stream.delegateCrashloopRetries(true);
    this.stream.setHealthSource((observed) => this.judge(observed));
    this.syncChecks(this.stream.observed);
    this.tickTimer = this.deps.ticker.every(this.progress.spec.intervalMs, () => this.tick());
    this.evaluate();
  }

  /** Stops everything and hands the health back to the lifecycle; resolves once no probe runs. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.tickTimer?.cancel();
    this.stream.delegateCrashloopRetries(false);
    this.stream.setHealthSource(undefined);
    await Promise.all([this.checks.stop(), this.inputs?.stop(), ...this.pending]);
  }

  // --- events from the stream (routed by the Watchdog) ---------------------------------------

  onState(event: StateChanged): void {
    if (this.stopped) return;
    this.syncChecks(event.to);
    this.evaluate();
  }

  onRunStarted(): void {
    if (this.stopped) return;
    this.progress.beginRun(this.deps.clock.now());
    this.inputs?.follow(this.stream.activeInput);
  }

  onRunFinished(event: RunFinished): void {
    if (this.stopped || event.reason === 'stopped' || event.reason === 'restarted') return;
    const run = this.stream.runs().find((r) => r.runId === event.runId);
    const lines = (run?.lastLines ?? []).slice(-50);
    const text = [event.lastError ?? '', ...lines].join('\n');
    if (isAlreadyPublishingError(text)) this.clearStale();
    const failure = classifyRunEnd(event, lines, this.endpoints, this.deps.redact);
    this.fast.runFinished(event, failure);
    // An input the ladder drops the publisher of waits for its check: the ladder then drops and moves on.
    if (this.inputs === undefined || this.ladderInputs.has(this.stream.activeInput)) return;
    const why = `run ended (${event.reason}): ${failure.detail}`;
    if (failure.locus === 'input') this.inputs.inputFailed(why);
    else if (['failed-to-start', 'start-timeout', 'stalled', 'exited'].includes(event.reason)) this.inputs.confirmActive(why);
  }

  onHealth(event: HealthChanged): void {
    if (this.stopped) return;
    const reason = this.deps.redact(event.reason);
    if (event.to === 'healthy') this.fast.healthy(event.at);
    if (event.to === 'degraded') {
      this.log.warn({ reason }, 'stream degraded: a warning, no restart');
      this.notices.notify('degraded', 'warning', `${this.stream.spec.name} is degraded`, reason);
    } else if (event.from === 'degraded' && event.to === 'healthy') {
      this.log.info({}, 'stream no longer degraded');
      this.notices.notify('degraded-resolved', 'info', `${this.stream.spec.name} is no longer degraded`, reason);
    }
  }

  /** A user intent (API, controller): a restart someone asked for is not a failure to judge. */
  onIntent(intent: StreamIntent): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    if (intent === 'restart') {
      this.recovery = noteIntentionalRestart(this.policy, this.recovery, now, 'api');
      this.recoveries.forget();
      this.checks.reset(now);
    }
    this.evaluate();
  }

  // --- the API's view ------------------------------------------------------------------------

  view(): WatchdogStreamView {
    const { progress, recovery, inputs } = this;
    return streamWatchdogView({ streamId: this.streamId, spec: this.stream.spec, progress, checks: this.checks.all, report: this.report, recovery, decision: this.decision, recoveries: this.recoveries, inputs, redact: this.deps.redact, now: this.deps.clock.now() });
  }

  // --- judging -------------------------------------------------------------------------------

  /** The health source handed to the stream supervisor (called on every state change too). */
  private judge(observed: ObservedState): HealthVerdict {
    if (observed === 'running' && this.progress.state.results === 0) {
      // Just became running (on an advancing progress block): take that sample now.
      this.progress.sample(observed, this.stream.status().progress, this.deps.clock.now());
    }
    this.report = this.derive(observed, false);
    return { health: this.report.health, reason: this.deps.redact(this.report.reason) };
  }

  /** The health report (domain/watchdog/watchdog-report.ts): the stream's, or the decider's. */
  private derive(observed: ObservedState, forDecider: boolean): StreamHealthReport {
    const progress = this.progress;
    return deriveWatchdogReport({
      observed,
      checks: this.checks.all,
      progress: progress.state,
      breaches: progress.breaches,
      activeInput: this.stream.activeInput,
      hasFallbacks: this.inputs !== undefined,
      forDecider,
    });
  }

  /** The checks failing now as the decider counts them, in the order configured. */
  private failingChecks(): CheckSpec[] {
    const names = this.derive(this.stream.observed, true).failing.map((failed) => failed.name);
    return this.checks.all.filter((check) => names.includes(check.spec.name)).map((check) => check.spec);
  }

  private evaluate(): void {
    if (this.stopped) return;
    this.stream.refreshHealth();
    this.decide();
  }

  private decide(): void {
    if (this.actions.busy || this.stopped) return;
    const now = this.deps.clock.now();
    const observed = this.stream.observed;
    const report = this.derive(observed, true);
    const inputFailure = inputSideFailure(this.checks.all.map((check) => ({ state: check.state, probesActiveInput: this.probesActiveInput(check) })));
    const decision = decideWithInputSide(
      this.policy,
      this.recovery,
      {
        now,
        health: report.health,
        observed,
        fastRestarts: this.stream.recentRestarts(),
        summary: this.deps.redact(report.reason),
        ...(report.unhealthySince !== undefined && { unhealthySince: report.unhealthySince }),
        ...(report.failingSince !== undefined && { failingSince: report.failingSince }),
      },
      inputFailure === undefined ? undefined : { ...inputFailure, summary: this.deps.redact(inputFailure.summary) },
    );
    this.recovery = decision.state;
    if (decision.reason !== this.decision) {
      this.decision = decision.reason;
      this.log.debug({ health: report.health, observed, decision: decision.reason }, 'recovery policy');
    }
    if (decision.recovered !== undefined) this.closeEpisode(decision.recovered);
    if (decision.actions.length === 0) return;
    const episode = decision.state.episode;
    if (episode !== undefined) this.recoveries.capture(episode, () => this.classifyNow(report, observed, now));
    this.track(this.actions.execute(decision.actions, observed));
  }

  /** Where the failure is and when it began, from what is known now (at detection). */
  private classifyNow(report: StreamHealthReport, observed: ObservedState, now: number): ClassifiedFailure {
    return classifyNow({ stream: this.stream, checks: this.checks.all, endpoints: this.endpoints, redact: this.deps.redact }, report, observed, now);
  }

  private closeEpisode(recovered: RecoveredEpisode): void {
    const record = this.recoveries.close(recovered);
    const total = (record.recoveredAt ?? recovered.recoveredAt) - record.failedAt;
    this.log.info(
      { cause: record.cause, locus: record.locus, action: record.action, detectedAfterMs: record.detectedAfterMs, recoveredAfterMs: record.recoveredAfterMs },
      'stream recovered',
    );
    this.deps.metrics?.recordRecovery(record.cause, Math.max(0, total) / 1_000);
    this.deps.events.emit('recovery', { streamId: this.streamId, phase: 'recovered', record, at: recovered.recoveredAt });
    if (recovered.actions.some((action) => action.type === 'notify')) {
      const text = `healthy again after ${secs(recovered.recoveredAt - recovered.startedAt)} s; ${record.locus} failure (${record.cause}); last action: ${record.action}`;
      this.notices.notify('recovered', 'info', `${this.stream.spec.name} recovered`, text);
    }
  }

  // --- input switches -----------------------------------------------------------------------

  /** The failover (or the ladder) moves the stream to another input. */
  private onInputSwitch(change: InputSwitch): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const reason = this.deps.redact(change.reason);
    try {
      this.stream.switchInput(change.to, 'watchdog');
    } catch (error) {
      this.log.error({ err: errorMessage(error) }, 'could not switch input');
      return;
    }
    const ladder = this.actions.ladderSwitch;
    if (!ladder) this.recovery = noteIntentionalRestart(this.policy, this.recovery, now, 'input-switch');
    this.checks.renew(now);
    this.log.warn({ from: change.from, to: change.to, reason }, 'input switched');
    this.notices.announce('next-input', reason, change);
    const back = change.to < change.from && this.inputs?.view().mode === 'priority';
    if (!ladder && !back) this.fast.inputSwitched(change, now, reason, classifyFailure({ endpoints: this.endpoints, lastError: reason }));
    const title = back ? `${this.stream.spec.name} is back on input ${change.to}` : `${this.stream.spec.name} switched to input ${change.to}`;
    this.notices.notify('input-switch', back ? 'info' : 'warning', title, `from input ${change.from}: ${reason}`);
    this.evaluate();
  }

  /** "Already publishing": once the stale session is gone, a stream waiting to retry republishes at once. */
  private clearStale(): void {
    const clearing = this.publisher.clearStale(() => {
      const observed = this.stream.observed;
      if (!this.stopped && this.stream.desired === 'running' && (observed === 'backoff' || observed === 'crashloop')) this.stream.restart();
    });
    if (clearing !== undefined) this.track(clearing);
  }

  // --- checks --------------------------------------------------------------------------------

  private onOutcome(check: RunningCheck, outcome: CheckOutcome): void {
    if (this.stopped) return;
    const transition = this.checks.record(check, outcome);
    if (outcome.skipped !== true) {
      this.deps.metrics?.recordCheck(this.streamId, check.spec.name, outcome.ok, outcome.durationMs / 1_000);
      if (check.inputIndex !== undefined) this.inputs?.checkResult(check.inputIndex, outcome.ok, outcome.at);
    }
    if (transition !== undefined) this.onCheckTransition(check, transition);
    this.evaluate();
  }

  private onCheckTransition(check: RunningCheck, transition: CheckTransition): void {
    const reason = this.deps.redact(transition.reason);
    const fields = { check: check.spec.name, from: transition.from, to: transition.to, reason };
    if (transition.to === 'failing') this.log.warn(fields, 'check failing');
    else this.log.info(fields, `check ${transition.to}`);
    const active = this.stream.activeInput;
    if (transition.to === 'failing' && check.inputIndex !== undefined && check.inputIndex === active && !this.ladderInputs.has(active)) {
      this.inputs?.inputFailed(`check ${check.spec.name}: ${reason}`);
    }
  }

  /** Checks run while the stream is not stopped; a start gives them a fresh grace. */
  private syncChecks(observed: ObservedState): void {
    this.checks.run(observed !== 'stopped' && !this.stopped);
  }

  /** The progress sample, and the duration thresholds of checks whose results are late. */
  private tick(): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const observed = this.stream.observed;
    const status = this.stream.status();
    const update = this.progress.sample(observed, status.progress, now);
    if (update.transition !== undefined) {
      const reason = this.deps.redact(update.transition.reason);
      this.log[update.transition.to === 'failing' ? 'warn' : 'debug']({ check: this.progress.spec.name, to: update.transition.to, reason }, 'progress check');
    }
    if (observed === 'running' && this.stream.spec.checks.some((check) => check.name === this.progress.spec.name)) {
      this.deps.metrics?.recordCheck(this.streamId, this.progress.spec.name, this.progress.state.lastOk === true, 0);
    }
    this.checks.tick(now, (check, transition) => this.onCheckTransition(check, transition));
    this.evaluate();
  }

  /** A check of the active input (of any input when the stream has no fallbacks). */
  private probesActiveInput(check: RunningCheck): boolean {
    return check.inputIndex !== undefined && (this.inputs === undefined || check.inputIndex === this.stream.activeInput);
  }

  private track(promise: Promise<unknown>): void {
    const settled = promise.catch(() => undefined);
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }
}
