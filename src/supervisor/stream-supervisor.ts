/**
 * The shell around one stream's lifecycle: it feeds events into the pure state machine and
 * performs the effects it returns (spawn, signal the process group, timers) through the ports.
 *
 * Events that belong to an earlier run (a late exit, progress after a restart) are dropped by
 * run id before they reach the machine, and timers are cancelled or superseded, so the machine
 * only sees events that are legal for the run it is in. Events raised while an event is being
 * handled are queued, never handled re-entrantly.
 */
import { describeArgv, InvalidInputIndexError } from '../domain/argv.js';
import { IllegalTransitionError, StreamwardenError } from '../domain/errors.js';
import type { Health } from '../domain/health.js';
import {
  initialLifecycleState,
  transition,
  type Effect,
  type LifecycleConfig,
  type LifecycleState,
  type ObservedState,
  type RunEnded,
} from '../domain/lifecycle.js';
import { restartReasonOf, type RestartOrigin, type RestartReason } from '../domain/restart-reason.js';
import { countHealth, countRunEnded, EMPTY_RUN_STATS, recoveryStats, restartsFor, type RunStats } from '../domain/run-stats.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { Logger } from '../ports/logger.js';
import type { ProcessExit, ProcessHandlers } from '../ports/process-runner.js';
import type { RuntimeEntry } from '../ports/store.js';
import type { DesiredState } from '../domain/stream-spec.js';
import type { HealthSource, HealthVerdict, RecoveryStats, RunRecord, StreamStatus } from '../ports/supervised-stream.js';
import type { RunRegistry } from '../ports/run-registry.js';
import { endedRecord, feedProgress, newRun, snapshotRecord, type ActiveRun } from './active-run.js';
import { adoptionBlocker, afterAdoption, GONE, lostRun, refuseAdoption, type AdoptOutcome } from './adoption.js';
import { DeadlineTimers } from './deadline-timers.js';
import { SerialDispatch } from './serial-dispatch.js';
import type { StreamSupervisorDeps } from './stream-supervisor-deps.js';
import { judgeHealth, lifecycleConfigOf, lifecycleVerdict, TIMER_EVENTS, type QueuedEvent } from './lifecycle-inputs.js';
import { spawnCommand } from './spawn-command.js';
import { exitLogFields, isExpectedEnd, registryOutcome, runFinished } from './run-report.js';
import { RunHistory } from './run-history.js';
import { specHash } from './spec-hash.js';
import type { StreamEventMap } from '../events/stream-events.js';
import { TypedEvents } from '../events/typed-events.js';

export { GONE, type AdoptOutcome } from './adoption.js';
export type { StreamSupervisorDeps } from './stream-supervisor-deps.js';

export class StreamSupervisor {
  readonly events: TypedEvents<StreamEventMap>;
  private state: LifecycleState = initialLifecycleState();
  private lifecycleConfig: LifecycleConfig;
  private currentSpec: StreamSpec;
  private readonly timers: DeadlineTimers;
  private readonly lifecycleQueue: SerialDispatch<QueuedEvent>;
  private nextRunId = 1;
  private active: ActiveRun | undefined;
  /** The run whose exit is being judged by the machine right now. */
  private ending: RunRecord | undefined;
  /** Whether the registry knows the run being judged (so its end must be reported). */
  private endingRegistered = false;
  private readonly history: RunHistory;
  private lastError: string | undefined;
  private stats: RunStats = EMPTY_RUN_STATS;
  /** Who asked for the restart that is ending the current run (see restart-reason.ts). */
  private restartOrigin: RestartOrigin | undefined;
  private stoppedWaiters: Array<() => void> = [];
  private readonly log: Logger;
  /** Index of the input in use, for pipelines with fallback inputs. */
  private inputIndex = 0;
  /** The watchdog's judgement, when one is attached (one source of truth for the health). */
  private healthSource: HealthSource | undefined;
  private verdict: HealthVerdict = lifecycleVerdict('stopped');
  /** While true, crash-loop retries are the watchdog's; the fast layer only keeps a late backstop. */
  private crashloopDelegated = false;

  constructor(
    spec: StreamSpec,
    private readonly deps: StreamSupervisorDeps,
  ) {
    this.currentSpec = spec;
    this.lifecycleConfig = lifecycleConfigOf(spec);
    this.log = deps.logger.child({ stream: spec.id });
    this.lifecycleQueue = new SerialDispatch<QueuedEvent>(
      (event) => this.handle(event),
      (error, event) => this.log.error({ err: error, event: event.type, state: this.state.observed }, 'lifecycle event failed'),
    );
    this.timers = new DeadlineTimers(deps.clock, (timer) => this.dispatch({ type: TIMER_EVENTS[timer] }));
    this.history = new RunHistory(deps.runHistory);
    this.events =
      deps.events ??
      new TypedEvents((event, error) => this.log.error({ event, err: error }, 'a stream event listener failed'));
  }

  get spec(): StreamSpec {
    return this.currentSpec;
  }

  /**
   * Swaps in a changed spec (same id). Only while stopped, so a running process always matches
   * the spec it was started from; run history and counters carry over.
   */
  replaceSpec(spec: StreamSpec): void {
    if (spec.id !== this.currentSpec.id) throw new Error(`spec id "${spec.id}" does not match stream "${this.currentSpec.id}"`);
    if (this.state.observed !== 'stopped') throw new IllegalTransitionError(this.state.observed, 'replace-spec');
    this.currentSpec = spec;
    this.lifecycleConfig = lifecycleConfigOf(spec);
    this.inputIndex = 0;
  }

  get observed(): ObservedState {
    return this.state.observed;
  }

  /** The index into the pipeline's `inputs` that runs (or will run) now. */
  get activeInput(): number {
    return this.inputIndex;
  }

  /** The stream's health now (see StreamStatus.health). */
  get health(): Health {
    return this.verdict.health;
  }

  /**
   * Hands the health judgement to the watchdog (`undefined` gives it back to the lifecycle).
   * The supervisor keeps the one current verdict: it asks the source on every state change and
   * whenever `refreshHealth` is called, and emits `health` when the verdict changes.
   */
  setHealthSource(source: HealthSource | undefined): void {
    this.healthSource = source;
    this.refreshHealth();
  }

  /** Re-asks the health source (the watchdog calls this when its checks changed). */
  refreshHealth(): void {
    this.updateHealth(this.state.observed, this.deps.clock.now());
  }

  /**
   * While a watchdog decides (one decider per stream), a crash loop is retried by the watchdog's
   * slow retry; the lifecycle then arms only a later backstop retry (crashloopRetryDelay).
   */
  delegateCrashloopRetries(on: boolean): void {
    this.crashloopDelegated = on;
  }

  /** The fast layer's recent automatic restart times, oldest first (the shared restart budget). */
  recentRestarts(): readonly number[] {
    return this.state.restart.recentRestarts;
  }

  /**
   * Moves a pipeline to another of its inputs: restarts ffmpeg on it when the stream is wanted
   * running and not stopped (an intentional restart, outside the restart budget); otherwise the
   * next start uses it. Throws for an args stream or an index out of range. `origin`: who asked
   * (the watchdog's failover or ladder counts as `watchdog` in the restart counters).
   */
  switchInput(index: number, origin: RestartOrigin = 'request'): void {
    const source = this.spec.source;
    if (source.kind !== 'pipeline') throw new StreamwardenError('NO_INPUTS', `stream "${this.spec.id}" uses args, not inputs`);
    if (!Number.isInteger(index) || index < 0 || index >= source.inputs.length) throw new InvalidInputIndexError(index, source.inputs.length);
    if (index === this.inputIndex) return;
    const from = this.inputIndex;
    this.inputIndex = index;
    this.log.info({ from, to: index }, 'switching input');
    // A move to another input, never a fix that spends the restart budget.
    if (this.state.desired === 'running' && this.state.observed !== 'stopped') this.dispatch({ type: 'restart', origin });
  }

  get desired(): LifecycleState['desired'] {
    return this.state.desired;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  /**
   * Restarts now. `watchdog`: the watchdog's fix for an unhealthy stream, counted in the restart
   * budget (backoff, then crashloop once spent); `request` (API, config): not. Either way the
   * restart counters tell them apart (restart-reason.ts).
   */
  restart(origin: RestartOrigin = 'request'): void {
    this.dispatch(origin === 'watchdog' ? { type: 'restart', counted: true, origin } : { type: 'restart', origin });
  }

  /** Asks the stream to stop and resolves once its process has exited. */
  stop(): Promise<void> {
    this.dispatch({ type: 'stop' });
    return this.whenStopped();
  }

  whenStopped(): Promise<void> {
    if (this.state.observed === 'stopped') return Promise.resolve();
    return new Promise((resolve) => this.stoppedWaiters.push(resolve));
  }

  /**
   * Re-attaches to the process of a stored runtime entry (daemon boot, before anything starts).
   * Only while stopped; the runner validates the entry and never signals a process that fails.
   * Adopted: the stream is `running` with that process (uptime from `entry.startedAt`, run id
   * continuing from `entry.runId`, stall timer armed). Then a changed spec (`entry.specHash`)
   * restarts it and `desired` stopped (default: the spec's) stops it — never left unsupervised.
   */
  adopt(entry: RuntimeEntry, desired: DesiredState = this.spec.desired): AdoptOutcome {
    const runner = this.deps.runner;
    const blocker = adoptionBlocker(entry, { id: this.spec.id, observed: this.state.observed, hasRun: this.active !== undefined });
    if (blocker) return refuseAdoption(this.log, entry, blocker, false);
    if (!runner.adopt) return refuseAdoption(this.log, entry, { reason: 'unsupported', detail: 'the process runner cannot adopt' }, false);

    const runId = entry.runId;
    const run = newRun(runId, entry.startedAt, this.deps.redact, { pid: entry.pid });
    // Current before the runner is called, like a spawn, so nothing it reports is lost.
    this.active = run;
    this.nextRunId = Math.max(this.nextRunId, runId + 1);
    const result = runner.adopt(entry, this.outputOf(run));
    if (!result.adopted) {
      this.active = undefined;
      const lost = GONE.has(result.reason);
      // A gone process: its run is over. Otherwise the entry stays as evidence; the pid is left
      // alone. NOTE: in that case the stream may be started fresh beside a live process we could
      // not prove ours — if it was in fact our ffmpeg, two publishers may run until it ends.
      if (lost) this.tellRegistry((registry) => registry.runEnded(this.spec.id, entry.pid, lostRun(this.deps.clock.now())));
      return refuseAdoption(this.log, entry, result, lost);
    }
    run.handle = result.handle;
    if (result.missingPipes.length > 0) this.log.warn({ pid: entry.pid, missingPipes: result.missingPipes }, 'adopted process: some output is lost for this run');
    this.log.info({ runId, pid: entry.pid, startedAt: entry.startedAt }, 'ffmpeg adopted');
    this.dispatch({ type: 'adopted', since: entry.startedAt });
    this.events.emit('run-adopted', {
      streamId: this.spec.id,
      runId,
      pid: entry.pid,
      startedAt: entry.startedAt,
      missingPipes: result.missingPipes,
      at: this.deps.clock.now(),
    });
    const then = afterAdoption(entry, desired, specHash(this.spec));
    if (then === 'stop') void this.stop();
    if (then === 'restart') {
      this.log.info({ pid: entry.pid }, 'spec changed while the daemon was away: restarting the adopted process');
      this.restart();
    }
    return { adopted: true, pid: entry.pid, then };
  }

  status(): StreamStatus {
    const run = this.active;
    const since = this.state.runningSince;
    return {
      id: this.spec.id,
      name: this.spec.name,
      desired: this.state.desired,
      state: this.state.observed,
      pid: run?.record.pid,
      restarts: this.stats.restarts,
      uptimeSeconds: since === undefined ? 0 : Math.max(0, (this.deps.clock.now() - since) / 1_000),
      lastError: this.lastError,
      lastProgressAt: run?.lastProgressAt,
      progress: run?.tracker.snapshot(this.deps.clock.now()),
      health: this.verdict.health,
      healthReason: this.verdict.reason,
      activeInput: this.inputIndex,
    };
  }

  recoveryStats(): RecoveryStats {
    return recoveryStats(this.stats, this.verdict.health, this.deps.clock.now());
  }

  /** Restarts counted per exit reason (`watchdog`: a restart the watchdog asked for), across every run of this stream. */
  restartsFor(reason: RestartReason): number {
    return restartsFor(this.stats, reason);
  }

  /** The current run first, then finished runs, newest first. */
  runs(): readonly RunRecord[] {
    return this.history.newestFirst(this.active && snapshotRecord(this.active));
  }

  /** Recent stderr lines of the current (or last) run, redacted. */
  logs(): readonly string[] {
    if (this.active) return this.active.stderr.lastLines();
    return this.history.lastLines();
  }

  private dispatch(event: QueuedEvent): void {
    this.lifecycleQueue.dispatch(event);
  }

  private handle(event: QueuedEvent): void {
    const before = this.state;
    if (event.type === 'restart') this.restartOrigin = event.origin ?? 'request';
    const result = transition(before, event, this.lifecycleConfig, {
      now: this.deps.clock.now(),
      random: this.deps.random(),
      crashloopDelegated: this.crashloopDelegated,
    });
    this.state = result.state;
    for (const effect of result.effects) this.perform(effect);
    if (before.observed !== result.state.observed) this.announceState(before.observed, result.state.observed);
  }

  private announceState(from: ObservedState, to: ObservedState): void {
    const at = this.deps.clock.now();
    if (to === 'crashloop' && from !== 'crashloop') {
      this.log.fatal({ severity: 'critical', lastError: this.lastError }, 'stream is in a crash loop; retrying slowly');
    } else {
      this.log.info({ from, to }, `stream ${to}`);
    }
    this.events.emit('state', { streamId: this.spec.id, from, to, desired: this.state.desired, at });
    this.updateHealth(to, at);
    if (to === 'stopped') {
      const waiters = this.stoppedWaiters;
      this.stoppedWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private updateHealth(observed: ObservedState, at: number): void {
    const next = judgeHealth(this.healthSource, observed, this.log);
    const before = this.verdict;
    this.verdict = next;
    this.stats = countHealth(this.stats, before.health, next.health, at);
    if (before.health === next.health) return;
    this.events.emit('health', { streamId: this.spec.id, from: before.health, to: next.health, state: observed, reason: next.reason, at });
  }

  private perform(effect: Effect): void {
    switch (effect.type) {
      case 'spawn':
        this.spawn();
        return;
      case 'signal':
        this.log.debug({ signal: effect.signal, pid: this.active?.record.pid }, 'signalling process group');
        this.active?.handle?.signalGroup(effect.signal);
        return;
      case 'set-timer':
        this.timers.set(effect.timer, effect.ms);
        return;
      case 'clear-timer':
        this.timers.clear(effect.timer);
        return;
      case 'run-ended':
        this.recordRunEnded(effect.run);
        return;
    }
  }

  private spawn(): void {
    this.restartOrigin = undefined; // a new run: no restart is ending it
    const runId = this.nextRunId++;
    const startedAt = this.deps.clock.now();
    const prepared = spawnCommand(this.spec, this.inputIndex, { capabilities: this.deps.ffmpeg.capabilities, prepareSource: this.deps.prepareSource, log: this.log });
    if (!prepared.ok) {
      this.refuseSpawn(runId, startedAt, prepared.error);
      return;
    }
    const args = prepared.args;
    // The run is current before the runner is called, so an exit reported during spawn is not lost.
    const run = newRun(runId, startedAt, this.deps.redact);
    this.active = run;
    run.handle = this.deps.runner.spawn(
      { command: this.deps.ffmpeg.path, args, progressPipe: true },
      this.outputOf(run),
    );
    run.record.pid = run.handle.pid;
    const identity = run.handle.describe?.();
    if (identity !== undefined && this.active === run) {
      run.registered = true;
      const entry = { stream: this.spec.id, runId, identity, specHash: specHash(this.spec), startedAt };
      this.tellRegistry((registry) => registry.runStarted(entry));
    }
    const command = describeArgv([this.deps.ffmpeg.path, ...args], this.deps.redact);
    this.log.info({ runId, pid: run.record.pid, command: command.join(' ') }, 'ffmpeg started');
    this.events.emit('run-started', { streamId: this.spec.id, runId, pid: run.record.pid, command, at: startedAt });
  }

  /** Nothing is spawned: the run ends at once as failed-to-start (queued: we are inside a transition). */
  private refuseSpawn(runId: number, startedAt: number, error: string): void {
    this.active = newRun(runId, startedAt, this.deps.redact);
    this.log.warn({ runId, reason: this.deps.redact(error) }, 'ffmpeg not started');
    this.onExit(runId, { code: null, signal: null, spawnError: { code: 'NOT_STARTED', message: error } });
  }

  /** The runner's callbacks for `run`; output of a run that is no longer current is dropped. */
  private outputOf(run: ActiveRun): ProcessHandlers {
    const runId = run.record.runId;
    return {
      onProgress: (chunk) => this.onProgress(runId, chunk),
      onStderr: (chunk) => {
        if (this.active === run) run.stderr.push(chunk);
      },
      onExit: (exit) => this.onExit(runId, exit),
    };
  }

  private onProgress(runId: number, chunk: string): void {
    const run = this.active;
    if (!run || run.record.runId !== runId) return;
    if (!feedProgress(run, chunk, this.deps.clock.now())) return;
    const observed = this.state.observed;
    if (observed === 'starting' || observed === 'running' || observed === 'stopping') this.dispatch({ type: 'progress' });
  }

  private onExit(runId: number, exit: ProcessExit): void {
    const run = this.active;
    if (!run || run.record.runId !== runId) return;
    const record = endedRecord(run, exit, this.deps.clock.now(), this.deps.redact);
    if (record.lastError) this.lastError = record.lastError;
    this.active = undefined;
    this.ending = record;
    this.endingRegistered = run.registered;
    this.dispatch({ type: 'exited', end: exit });
  }

  /** Registry calls are fire-and-forget: a failing registry never disturbs supervision. */
  private tellRegistry(call: (registry: RunRegistry) => void): void {
    const registry = this.deps.registry;
    if (!registry) return;
    try {
      call(registry);
    } catch (error) {
      this.log.error({ err: error }, 'the run registry failed');
    }
  }

  /** The machine has judged the exit: keep the run, count the restart, tell listeners. */
  private recordRunEnded(ended: RunEnded): void {
    const record = this.ending;
    this.ending = undefined;
    if (!record) return;
    record.reason = ended.reason;
    const endedAt = record.endedAt ?? this.deps.clock.now();
    if (this.endingRegistered) this.tellRegistry((registry) => registry.runEnded(this.spec.id, record.pid, registryOutcome(record, ended, endedAt)));
    this.endingRegistered = false;
    this.history.add(record);
    const counted = restartReasonOf(ended.reason, this.restartOrigin);
    this.restartOrigin = undefined;
    this.stats = countRunEnded(this.stats, ended, counted, endedAt);
    this.log[isExpectedEnd(ended) ? 'info' : 'warn'](exitLogFields(record, ended), 'ffmpeg exited');
    this.events.emit('run-finished', runFinished(this.spec.id, record, ended, endedAt));
  }
}
