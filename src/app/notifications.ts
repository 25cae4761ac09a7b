/**
 * Notifications: alert state and the outbox live in the store, so they open with it (at boot, or
 * when a later attempt opens it). Following the streams' events into alerts is switched on and
 * off apart from that, so that stopping the daemon is never reported as an incident.
 */
import { notifierFromConfig } from '../adapters/notifiers/registry.js';
import type { Config } from '../config/types.js';
import type { StreamEventMap } from '../events/stream-events.js';
import type { TypedEvents } from '../events/typed-events.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';
import type { Redactor } from '../domain/redact.js';
import { AlertManager } from '../notify/alert-manager.js';
import { followStreams } from '../notify/follow-streams.js';
import { OutboxWorker } from '../notify/outbox-worker.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { StreamwardenMetrics } from '../metrics/streamwarden-metrics.js';
import type { StreamSpec } from '../domain/stream-spec.js';

export interface NotificationsOptions {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redact: Redactor;
  readonly metrics: StreamwardenMetrics;
  /** The spec of a stream the supervisor has (its name and notifiers). */
  readonly streamSpec: (id: string) => StreamSpec | undefined;
  readonly streamEvents: TypedEvents<StreamEventMap>;
  readonly streamRemoved: (listener: (streamId: string) => void) => () => void;
  readonly watchdogEvents: TypedEvents<WatchdogEventMap>;
}

/** The alert about the store itself: a daemon-level condition (no stream), so global notifiers get it. */
const STORE_ALERT = { condition: 'unhealthy', severity: 'critical', title: 'streamwarden: the store cannot take writes' } as const;

export class Notifications {
  private opened: { alerts: AlertManager; outbox: OutboxWorker } | undefined;
  private following = false;
  private unfollow: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: NotificationsOptions) {}

  /** The alert manager, once notifications are on. */
  get alerts(): AlertManager | undefined {
    return this.opened?.alerts;
  }

  /** Turns notifications on over an open store; a no-op without notifiers. Never throws. */
  async open(store: Store): Promise<void> {
    const { config, clock, redact, logger, metrics } = this.options;
    if (this.opened || this.closed || config.notifiers.length === 0) return;
    const outbox = new OutboxWorker({
      store,
      notifiers: config.notifiers.map((n) => notifierFromConfig(n, redact)),
      clock,
      redact,
      log: logger.child({ component: 'outbox' }),
      onOutcome: (notifier, result) => metrics.countNotification(notifier, result),
    });
    try {
      const alerts = await AlertManager.open({
        store,
        clock,
        redact,
        log: logger.child({ component: 'alerts' }),
        routes: config.notifiers.map((n) => ({ id: n.id, global: n.global ?? true, minSeverity: n.minSeverity })),
        streamNotify: (id) => this.options.streamSpec(id)?.notify ?? [],
        timings: {
          ...(config.alerts.sendResolved !== undefined && { sendResolved: config.alerts.sendResolved }),
          reminderMs: config.alerts.reminderMs,
        },
        forMs: config.alerts.forMs,
        ...(config.alerts.groupWindowMs !== undefined && { groupWindowMs: config.alerts.groupWindowMs }),
        maintenance: () => config.maintenance,
        onEnqueued: () => outbox.kick(),
        detectUncleanStop: true,
      });
      this.opened = { alerts, outbox };
      if (this.following) this.subscribe(alerts);
      outbox.start();
      logger.info({ notifiers: config.notifiers.map((n) => n.id) }, 'notifications are on');
    } catch (error) {
      logger.error({ err: error }, 'notifications could not start; none are sent');
    }
  }

  /**
   * The store failed a write probe (`trouble`) or takes writes again (undefined). Alert state
   * lives in the store too: this reaches the notifiers only if the alert table still takes
   * writes (repeats are cheap); otherwise the log and /readyz carry it.
   */
  storeWritability(storePath: string, trouble: string | undefined): void {
    const alerts = this.opened?.alerts;
    if (trouble === undefined) void alerts?.conditionCleared(STORE_ALERT.condition);
    else void alerts?.conditionActive({ ...STORE_ALERT, what: `the store (${storePath}) failed a write probe: ${trouble}` });
  }

  /** From now on (or from when they open), the streams' events become alerts. */
  follow(): void {
    this.following = true;
    if (this.opened && !this.unfollow) this.subscribe(this.opened.alerts);
  }

  stopFollowing(): void {
    this.following = false;
    this.unfollow?.();
    this.unfollow = undefined;
  }

  /** Open groups go to the outbox, sends in flight finish (bounded), the "running" marker is cleared. */
  async close(): Promise<void> {
    this.closed = true;
    const { logger } = this.options;
    await this.opened?.alerts.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the alert manager failed'));
    await this.opened?.outbox.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the outbox failed'));
  }

  private subscribe(alerts: AlertManager): void {
    const { streamEvents, watchdogEvents, streamRemoved, streamSpec, logger } = this.options;
    const unfollowStreams = followStreams(alerts, streamEvents, watchdogEvents, {
      streamName: (id) => streamSpec(id)?.name ?? id,
      clock: this.options.clock,
      healthyAfterMs: (id) => streamSpec(id)?.restart.resetAfterMs,
      onError: (error) => logger.warn({ err: error }, 'an alert could not be recorded'),
    });
    // A removed stream has nothing left to alert about.
    const unfollowRemoved = streamRemoved((streamId) => void alerts.clearStream(streamId));
    this.unfollow = () => {
      unfollowStreams();
      unfollowRemoved();
    };
  }
}
