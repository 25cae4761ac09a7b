/**
 * Every Prometheus metric of the daemon (DESIGN.md §4.4), on its own registry (never the global).
 *
 * - Per-stream gauges and counters are computed at scrape time from the supervisor's streams, so
 *   a removed stream's series vanish with it; they are written straight into the exposition text
 *   (see exposition.ts for why).
 * - Counters count across runs: ffmpeg's frame and byte counters and the kernel's CPU time start
 *   from zero with every process, so each run's figures are added to the runs before it
 *   (stream-tally.ts). Restarts come from the supervisor's own per-reason count.
 * - CPU and memory of each ffmpeg are sampled in the background every few seconds
 *   (process-sampler.ts); a scrape never touches /proc.
 * - Histograms (recovery and check durations), engines, notifications, build info and the
 *   daemon's own process / Node.js figures (prefix `streamwarden_daemon_`) live in the
 *   prom-client registry.
 *
 * Lifecycle: construct before the supervisor starts its streams (so no run start is missed),
 * `start()` the sampler, `close()` on shutdown.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Health } from '../domain/health.js';
import { EXIT_REASONS, type ExitReason } from '../domain/lifecycle.js';
import type { RestartReason } from '../domain/restart-reason.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { FailureCause } from '../domain/watchdog/failure-locus.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { RunFinished, StreamEventMap } from '../events/stream-events.js';
import type { StreamStatus } from '../ports/supervised-stream.js';
import type { TypedEvents } from '../events/typed-events.js';
import { packageVersion } from './build-info.js';
import { ProcessSampler, type SampleTarget } from './process-sampler.js';
import type { ProcessStatsReader } from '../ports/process-stats.js';
import { StreamFamilyRenderer, type StreamRow } from './stream-families.js';
import { StreamTally, type FinalTotals } from './stream-tally.js';

/** The slice of a stream the metrics read (StreamSupervisor satisfies it). */
export interface MetricsStream {
  readonly spec: Pick<StreamSpec, 'id' | 'checks'>;
  status(): StreamStatus;
  restartsFor(reason: RestartReason): number;
}

/** The slice of the supervisor the metrics read (Supervisor satisfies it). */
export interface MetricsSupervisor {
  readonly events: TypedEvents<StreamEventMap>;
  list(): readonly MetricsStream[];
  has(id: string): boolean;
  get(id: string): MetricsStream;
}

export type EngineHealth = 'healthy' | 'unhealthy' | 'unknown';

/** How a notification attempt ended. A fixed list: it is a label. */
export type NotificationResult = 'sent' | 'failed' | 'rate-limited' | 'dropped';
export const NOTIFICATION_RESULTS: readonly NotificationResult[] = ['sent', 'failed', 'rate-limited', 'dropped'];

export interface StreamwardenMetricsOptions {
  readonly supervisor: MetricsSupervisor;
  readonly clock: Clock;
  /** Reported in streamwarden_build_info. Default: package.json's version. */
  readonly version?: string;
  /** Where process CPU / memory come from (/proc in the daemon). */
  readonly processStats: ProcessStatsReader;
  /** How often each ffmpeg process is sampled. Default 5 s. */
  readonly sampleIntervalMs?: number;
  /** A stream's health; default: the stream's own (the watchdog's judgement when one runs). */
  readonly health?: (status: StreamStatus) => Health;
  /** Node.js and process metrics of the daemon itself (`streamwarden_daemon_` prefix). Default true. */
  readonly defaultMetrics?: boolean;
  readonly logger?: Logger;
}

export const DEFAULT_SAMPLE_INTERVAL_MS = 5_000;

/** Exit reasons a recovery can follow; a run that ended because it was stopped is no failure. */
export const RECOVERY_CAUSES: readonly ExitReason[] = EXIT_REASONS.filter((reason) => reason !== 'stopped');

const RECOVERY_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];
const CHECK_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class StreamwardenMetrics {
  /** The prom-client registry behind the non-per-stream metrics. */
  readonly registry = new Registry();
  readonly contentType: string = this.registry.contentType;
  private readonly tallies = new Map<string, StreamTally>();
  private readonly streamFamilies = new StreamFamilyRenderer();
  private readonly sampler: ProcessSampler;
  private readonly unsubscribe: Array<() => void>;
  private readonly health: (status: StreamStatus) => Health;

  private readonly recoveryDuration = new Histogram({
    name: 'streamwarden_recovery_duration_seconds',
    help: 'Time from a failure to the stream recovered: the fast layer by why the run ended (exit reason), the watchdog by its failure cause.',
    labelNames: ['cause'] as const,
    buckets: RECOVERY_BUCKETS,
    registers: [this.registry],
  });

  private readonly checkDuration = new Histogram({
    name: 'streamwarden_check_duration_seconds',
    help: 'How long health checks (ffprobe, http, rtmp-server …) took, by check name, over every stream.',
    labelNames: ['check'] as const,
    buckets: CHECK_BUCKETS,
    registers: [this.registry],
  });

  private readonly engineHealthy = new Gauge({
    name: 'streamwarden_engine_healthy',
    help: 'Whether the engine\'s last status poll found it healthy (1) or not (0); no series while unknown.',
    labelNames: ['engine'] as const,
    registers: [this.registry],
  });

  private readonly notifications = new Counter({
    name: 'streamwarden_notifications_total',
    help: 'Notification attempts, by notifier and result (sent, failed, rate-limited, dropped).',
    labelNames: ['notifier', 'result'] as const,
    registers: [this.registry],
  });

  constructor(private readonly options: StreamwardenMetricsOptions) {
    this.health = options.health ?? ((status) => status.health);
    for (const cause of RECOVERY_CAUSES) this.recoveryDuration.zero({ cause });

    const buildInfo = new Gauge({
      name: 'streamwarden_build_info',
      help: 'Always 1; the labels tell the streamwarden and Node.js versions.',
      labelNames: ['version', 'node'] as const,
      registers: [this.registry],
    });
    buildInfo.set({ version: options.version ?? packageVersion(), node: process.version }, 1);
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'streamwarden_daemon_' });
      // prom-client's nodejs_active_{handles,requests,resources}_total are gauges with a counter's
      // suffix, which `promtool check metrics` rejects: leave them out.
      for (const metric of this.registry.getMetricsAsArray()) {
        if (metric.name.endsWith('_total') && String(metric.type) !== 'counter') this.registry.removeSingleMetric(metric.name);
      }
    }

    const { events } = options.supervisor;
    this.unsubscribe = [
      events.on('run-started', (event) => this.tallyOf(event.streamId)?.runStarted()),
      events.on('run-finished', (event) => this.onRunFinished(event)),
      events.on('state', (event) => {
        const tally = this.tallyOf(event.streamId);
        if (!tally) return;
        if (event.to === 'stopped') tally.pendingRecovery = undefined;
        const pending = tally.pendingRecovery;
        if (event.to === 'running' && pending) {
          tally.pendingRecovery = undefined;
          this.recoveryDuration.observe({ cause: pending.cause }, Math.max(0, event.at - pending.since) / 1_000);
        }
      }),
    ];

    this.sampler = new ProcessSampler({
      clock: options.clock,
      reader: options.processStats,
      intervalMs: options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
      targets: () => this.sampleTargets(),
      onError: (error) => options.logger?.error({ err: error }, 'process sampling failed'),
    });
  }

  /** Starts the background process sampler. */
  start(): void {
    this.sampler.start();
  }

  /** Stops sampling and listening. Scrapes still answer (with what was last known). */
  close(): void {
    this.sampler.stop();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** The whole exposition text, for GET /metrics. */
  async render(): Promise<string> {
    const rows = this.collectRows();
    const streams = this.streamFamilies.render(rows, this.options.clock.now());
    const shared = await this.registry.metrics();
    return `${streams}\n${shared}`;
  }

  /**
   * A check's latest result, reported by the watchdog after each run of a check. Shown as
   * streamwarden_check_success{stream,check} while the check is configured for a stream wanted
   * running; the duration also goes into streamwarden_check_duration_seconds{check}. Results for
   * an unknown stream or a check name the stream does not configure are ignored.
   */
  recordCheck(streamId: string, check: string, success: boolean, durationSeconds?: number): void {
    const { supervisor } = this.options;
    if (!supervisor.has(streamId)) return;
    const stream = supervisor.get(streamId);
    // Only configured check names become labels, so the label set stays bounded by the config.
    if (!stream.spec.checks.some((configured) => configured.name === check)) return;
    const duration = durationSeconds !== undefined && Number.isFinite(durationSeconds) && durationSeconds >= 0 ? durationSeconds : undefined;
    const tally = this.tallyFor(stream);
    tally.checks.set(check, { success, durationSeconds: duration });
    if (duration !== undefined) this.checkDuration.observe({ check }, duration);
  }

  /**
   * A recovery the watchdog recorded: from the failure to the stream healthy again. `cause` is
   * from the fixed list of failure causes (domain/watchdog/failure-locus.ts), so labels stay bounded.
   */
  recordRecovery(cause: FailureCause, seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.recoveryDuration.observe({ cause }, seconds);
  }

  /** Forgets a stream's recorded check results (e.g. its checks were reconfigured). */
  clearChecks(streamId: string): void {
    this.tallies.get(streamId)?.checks.clear();
  }

  /** An engine's health after a poll; `unknown` removes its series until it is known again. */
  setEngineHealth(engine: string, health: EngineHealth): void {
    if (health === 'unknown') this.engineHealthy.remove({ engine });
    else this.engineHealthy.set({ engine }, health === 'healthy' ? 1 : 0);
  }

  /** An engine left the pool: its series go. */
  removeEngine(engine: string): void {
    this.engineHealthy.remove({ engine });
  }

  /** Counts one notification attempt. `notifier` is the configured notifier id (never its URL). */
  countNotification(notifier: string, result: NotificationResult): void {
    this.notifications.inc({ notifier, result });
  }

  /** One sampling pass now (also what the interval runs); resolves when it is done. */
  sampleProcesses(): Promise<void> {
    return this.sampler.sampleNow();
  }

  /** Resolves when no sampling pass is in flight. */
  whenSamplerIdle(): Promise<void> {
    return this.sampler.whenIdle();
  }

  private onRunFinished(event: RunFinished): void {
    const tally = this.tallyOf(event.streamId);
    if (!tally) return;
    tally.runFinished(finalTotalsOf(event));
    tally.backoffDelayMs = event.restartDelayMs ?? 0;
    if (event.next === 'stopped' || event.reason === 'stopped') {
      tally.pendingRecovery = undefined;
    } else {
      // A run that fails again before the stream is back keeps the first failure's time and cause.
      tally.pendingRecovery ??= { since: event.at, cause: event.reason };
    }
  }

  /** The tally of the stream with this id, if it exists now. */
  private tallyOf(streamId: string): StreamTally | undefined {
    const { supervisor } = this.options;
    return supervisor.has(streamId) ? this.tallyFor(supervisor.get(streamId)) : undefined;
  }

  /** A stream removed and added again under the same id is a new stream with new counters. */
  private tallyFor(stream: MetricsStream): StreamTally {
    const id = stream.spec.id;
    let tally = this.tallies.get(id);
    if (tally?.owner !== stream) {
      tally = new StreamTally(stream);
      this.tallies.set(id, tally);
    }
    return tally;
  }

  /** Reads every stream once, and forgets streams that are gone. */
  private collectRows(): StreamRow[] {
    const rows: StreamRow[] = [];
    for (const stream of this.options.supervisor.list()) {
      const status = stream.status();
      const tally = this.tallyFor(stream);
      tally.observe(status);
      rows.push({
        status,
        health: this.health(status),
        tally,
        checkNames: stream.spec.checks.map((check) => check.name),
        restarts: stream,
      });
    }
    if (rows.length !== this.tallies.size) {
      const present = new Set(rows.map((row) => row.status.id));
      for (const id of this.tallies.keys()) if (!present.has(id)) this.tallies.delete(id);
    }
    return rows;
  }

  private sampleTargets(): SampleTarget[] {
    const targets: SampleTarget[] = [];
    for (const stream of this.options.supervisor.list()) {
      const status = stream.status();
      const tally = this.tallyFor(stream);
      tally.observe(status); // keeps frame / byte totals fresh even without scrapes
      const run = tally.currentRun();
      if (status.pid === undefined || !run) continue;
      targets.push({ pid: status.pid, accept: (stats) => tally.sampled(run, stats, this.options.clock.now()) });
    }
    return targets;
  }
}

/** The final frame / byte totals of a finished run, from its last progress snapshot. */
function finalTotalsOf(event: RunFinished): FinalTotals | undefined {
  const progress = event.progress;
  return progress ? { frames: progress.frames, bytes: progress.bytes } : undefined;
}
