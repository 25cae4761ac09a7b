/**
 * The watchdog layer of a daemon: one StreamWatchdog per stream, following the supervisor as
 * streams are added, updated (a new spec gets a new watchdog: new checks, new baselines) and
 * removed, and passing each stream's lifecycle events and user intents to its watchdog.
 *
 * Lifecycle: construct, `start()` after the supervisor has started its streams, `stop()` before
 * the supervisor stops them (it resolves once no probe is running any more).
 */
import type { Redactor } from '../domain/redact.js';
import type { RecoveryPolicyConfig } from '../domain/watchdog/recovery-policy.js';
import type { Clock } from '../ports/clock.js';
import type { CheckProbeFactory, InputProbeFactory } from '../ports/health-probe.js';
import type { Logger } from '../ports/logger.js';
import type { RtmpServer } from '../ports/rtmp-server.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { StreamEventMap, SupervisorChangeMap } from '../events/stream-events.js';
import type { SupervisedStream } from '../ports/supervised-stream.js';
import { TypedEvents } from '../events/typed-events.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';
import type { WatchdogStreamView } from './watchdog-view.js';
import { SharedTicker } from './shared-ticker.js';
import { StreamWatchdog, type WatchdogMetrics } from './stream-watchdog.js';

/** The streams as the watchdog follows them (the Supervisor satisfies it). */
export interface WatchedStreams {
  readonly events: TypedEvents<StreamEventMap>;
  readonly streamChanges: TypedEvents<SupervisorChangeMap>;
  list(): readonly { readonly spec: StreamSpec }[];
  has(id: string): boolean;
  get(id: string): SupervisedStream;
}

export interface WatchdogOptions {
  readonly supervisor: WatchedStreams;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redact: Redactor;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly rtmpServers?: readonly RtmpServer[];
  readonly metrics?: WatchdogMetrics;
  /** Uniform in [0, 1): spreads first beats. @default Math.random */
  readonly random?: () => number;
  readonly createProbe: CheckProbeFactory;
  readonly createInputProbe: InputProbeFactory;
  readonly policy?: Partial<RecoveryPolicyConfig>;
  readonly staleSessionTimeoutMs?: number;
}

export class Watchdog {
  /** Recovery actions and records, and notices for people. */
  readonly events: TypedEvents<WatchdogEventMap>;
  private readonly watchdogs = new Map<string, StreamWatchdog>();
  private readonly servers: ReadonlyMap<string, RtmpServer>;
  private readonly ticker: SharedTicker;
  private readonly stopping = new Set<Promise<void>>();
  private unsubscribe: Array<() => void> = [];
  private running = false;

  constructor(private readonly options: WatchdogOptions) {
    this.events = new TypedEvents((event, error) => options.logger.error({ event, err: error }, 'a watchdog event listener failed'));
    this.servers = new Map((options.rtmpServers ?? []).map((server) => [server.id, server]));
    this.ticker = new SharedTicker(options.clock, (error) => options.logger.error({ err: error }, 'a watchdog tick failed'));
  }

  /** Gives every stream its watchdog and follows the supervisor from now on. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { supervisor } = this.options;
    const route = <T extends { readonly streamId: string }>(handle: (watchdog: StreamWatchdog, event: T) => void) => (event: T) => {
      const watchdog = this.watchdogs.get(event.streamId);
      if (watchdog !== undefined) handle(watchdog, event);
    };
    this.unsubscribe = [
      supervisor.events.on('state', route((w, e) => w.onState(e))),
      supervisor.events.on('run-started', route((w) => w.onRunStarted())),
      supervisor.events.on('run-finished', route((w, e) => w.onRunFinished(e))),
      supervisor.events.on('health', route((w, e) => w.onHealth(e))),
      supervisor.streamChanges.on('intent', route((w, e) => w.onIntent(e.intent))),
      supervisor.streamChanges.on('added', (e) => this.attach(e.streamId)),
      supervisor.streamChanges.on('updated', (e) => {
        this.detach(e.streamId);
        this.attach(e.streamId);
      }),
      supervisor.streamChanges.on('removed', (e) => this.detach(e.streamId)),
    ];
    for (const stream of supervisor.list()) this.attach(stream.spec.id);
  }

  /** Stops every stream's watchdog; resolves once no probe runs. */
  async stop(): Promise<void> {
    this.running = false;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const id of [...this.watchdogs.keys()]) this.detach(id);
    await Promise.all([...this.stopping]);
  }

  get(streamId: string): StreamWatchdog | undefined {
    return this.watchdogs.get(streamId);
  }

  /** What the API shows; undefined for a stream without a watchdog. */
  view(streamId: string): WatchdogStreamView | undefined {
    return this.watchdogs.get(streamId)?.view();
  }

  private attach(streamId: string): void {
    if (!this.running || this.watchdogs.has(streamId) || !this.options.supervisor.has(streamId)) return;
    const options = this.options;
    const watchdog = new StreamWatchdog(options.supervisor.get(streamId), {
      clock: options.clock,
      ticker: this.ticker,
      logger: options.logger,
      redact: options.redact,
      random: options.random ?? Math.random,
      events: this.events,
      rtmpServers: this.servers,
      ffmpegPath: options.ffmpegPath,
      ffprobePath: options.ffprobePath,
      createProbe: options.createProbe,
      createInputProbe: options.createInputProbe,
      ...(options.metrics !== undefined && { metrics: options.metrics }),
      ...(options.policy !== undefined && { policy: options.policy }),
      ...(options.staleSessionTimeoutMs !== undefined && { staleSessionTimeoutMs: options.staleSessionTimeoutMs }),
    });
    this.watchdogs.set(streamId, watchdog);
    watchdog.start();
  }

  private detach(streamId: string): void {
    const watchdog = this.watchdogs.get(streamId);
    if (watchdog === undefined) return;
    this.watchdogs.delete(streamId);
    const stopped = watchdog.stop().catch((error: unknown) => this.options.logger.error({ stream: streamId, err: error }, 'stopping a watchdog failed'));
    this.stopping.add(stopped);
    void stopped.finally(() => this.stopping.delete(stopped));
  }
}
