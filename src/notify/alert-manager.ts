/**
 * The alerting shell: turns condition reports and one-off events into notices (pure rules in
 * src/domain/alerts/), persists alert state in the store, groups notices per notifier over a
 * short window (a burst of 20 failing streams is one message per notifier), and writes every
 * message to the outbox before the OutboxWorker sends it.
 *
 * Operations are serialised (one at a time, in call order) so store reads and writes of one
 * alert never interleave. `close` flushes the groups still open: a graceful restart loses no
 * notice, and the persisted state means the new daemon neither repeats nor forgets an alert.
 */
import {
  alertKey,
  conditionActive,
  conditionCleared,
  DEFAULT_ALERT_TIMINGS,
  tickAlert,
  type AlertRecord,
  type AlertStep,
  type AlertTimings,
  type ConditionReport,
} from '../domain/alerts/alert-machine.js';
import { coalesceItems } from '../domain/alerts/coalesce.js';
import type { AlertCondition, AlertEventKind, AlertItem, Severity } from '../domain/alerts/message.js';
import { inMaintenance, routeNotice, type MaintenanceWindow, type NotifierRoute } from '../domain/alerts/routing.js';
import type { Redactor } from '../domain/redact.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { AlertState, AlertsRepository, OutboxRepository } from '../ports/store.js';
import { errorMessage } from '../domain/error-message.js';

export interface AlertManagerOptions {
  readonly store: AlertsRepository & OutboxRepository;
  readonly clock: Clock;
  readonly redact: Redactor;
  readonly log?: Logger;
  readonly routes: readonly NotifierRoute[];
  /** A stream's own `notify` ids (empty for an unknown stream). */
  readonly streamNotify: (stream: string) => readonly string[];
  /** Defaults: fire at once, reminders 1 h critical / 4 h warning, resolved notices on. */
  readonly timings?: Partial<AlertTimings>;
  /** How long each condition must hold before it fires, overriding `timings.forMs`. */
  readonly forMs?: Readonly<Partial<Record<AlertCondition, number>>>;
  /** Notices to one notifier within this window become one message. @default 10000 */
  readonly groupWindowMs?: number;
  /** Read on every decision, so windows can change at run time. */
  readonly maintenance?: () => readonly MaintenanceWindow[];
  /** Called after messages were written to the outbox (wire it to `OutboxWorker.kick`). */
  readonly onEnqueued?: () => void;
  /**
   * Keeps a "daemon running" marker in the alert table (set on open, cleared on close); finding
   * it set on open means the previous daemon stopped uncleanly (crash, kill -9, power loss), which
   * is announced (`unclean-stop`, warning). Only the daemon sets this. @default false
   */
  readonly detectUncleanStop?: boolean;
}

/** The alert-table key of the "daemon running" marker. */
export const DAEMON_RUN_KEY = 'daemon-run:*';

/** A one-off notice (no resolution): publisher dropped, input switched, unclean stop. */
export interface EventReport {
  readonly kind: AlertEventKind;
  readonly stream?: string;
  readonly severity: Severity;
  readonly title: string;
  readonly what: string;
  readonly action?: string;
  readonly lastError?: string;
}

interface Group {
  readonly items: AlertItem[];
  timer?: TimerHandle;
}

/** An alert that fired unseen (maintenance) is looked at again this often: sent once the window ends. */
const MUTED_RECHECK_MS = 60_000;

/** When the outbox write failed (store unavailable), the group is written again after this. */
const STORE_RETRY_MS = 5_000;

const CONDITIONS: readonly string[] = ['unhealthy', 'degraded', 'crashloop', 'engine-unhealthy'];

function toRecord(state: AlertState): AlertRecord | undefined {
  const p = state.payload;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return undefined;
  const r = p as Readonly<Record<string, unknown>>;
  if (typeof r.condition !== 'string' || !CONDITIONS.includes(r.condition)) return undefined;
  if (r.phase !== 'pending' && r.phase !== 'firing' && r.phase !== 'resolved') return undefined;
  if (typeof r.title !== 'string' || typeof r.what !== 'string' || typeof r.severity !== 'string') return undefined;
  return r as unknown as AlertRecord;
}

export class AlertManager {
  private readonly records = new Map<string, AlertRecord>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly groups = new Map<string, Group>();
  private readonly timings: AlertTimings;
  private readonly windowMs: number;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private eventSeq = 0;

  private constructor(private readonly options: AlertManagerOptions) {
    this.timings = {
      ...DEFAULT_ALERT_TIMINGS,
      ...options.timings,
      reminderMs: { ...DEFAULT_ALERT_TIMINGS.reminderMs, ...options.timings?.reminderMs },
    };
    this.windowMs = Math.max(0, options.groupWindowMs ?? 10_000);
  }

  /** Loads the alerts still pending or firing and resumes their timers (fire, remind). */
  static async open(options: AlertManagerOptions): Promise<AlertManager> {
    const manager = new AlertManager(options);
    for (const state of await options.store.listAlerts({ status: 'firing' })) {
      const record = toRecord(state);
      if (record !== undefined) manager.records.set(record.key, record);
    }
    await manager.enqueue(async () => {
      for (const record of [...manager.records.values()]) await manager.apply(tickAlert(record, options.clock.now(), manager.muted(record.stream), manager.timingsFor(record.condition)));
    });
    if (options.detectUncleanStop === true) await manager.markRunning();
    return manager;
  }

  /** The condition holds now (repeat reports are cheap: nothing is sent twice). */
  conditionActive(report: ConditionReport): Promise<void> {
    return this.enqueue(async () => {
      const now = this.options.clock.now();
      const previous = this.records.get(alertKey(report.condition, report.stream));
      const safe = this.redactReport(report);
      await this.apply(conditionActive(previous, safe, now, this.muted(report.stream), this.timingsFor(report.condition)));
    });
  }

  /** The condition no longer holds. */
  conditionCleared(condition: AlertCondition, stream?: string): Promise<void> {
    return this.enqueue(async () => {
      const key = alertKey(condition, stream);
      const step = conditionCleared(this.records.get(key), this.options.clock.now(), this.muted(stream), this.timingsFor(condition));
      if (step !== undefined) await this.apply(step);
    });
  }

  /** Every condition of a stream no longer holds (it was stopped on purpose or removed). */
  clearStream(stream: string): Promise<void> {
    return this.enqueue(async () => {
      for (const record of [...this.records.values()]) {
        if (record.stream !== stream) continue;
        const step = conditionCleared(record, this.options.clock.now(), this.muted(stream), this.timingsFor(record.condition));
        if (step !== undefined) await this.apply(step);
      }
    });
  }

  /** A one-off notice, sent unless in maintenance. */
  event(report: EventReport): Promise<void> {
    return this.enqueue(() => {
      const now = this.options.clock.now();
      if (this.muted(report.stream)) return Promise.resolve();
      const r = this.options.redact;
      this.notice({
        key: `${report.kind}:${report.stream ?? '*'}:${now}:${this.eventSeq++}`,
        kind: report.kind,
        status: 'firing',
        severity: report.severity,
        title: r(report.title),
        what: r(report.what),
        since: now,
        ...(report.stream !== undefined && { stream: report.stream }),
        ...(report.action !== undefined && { action: r(report.action) }),
        ...(report.lastError !== undefined && { lastError: r(report.lastError) }),
      });
      return Promise.resolve();
    });
  }

  /** Alerts pending or firing now (for an API or the dashboard). */
  active(): AlertRecord[] {
    return [...this.records.values()].filter((r) => r.phase !== 'resolved');
  }

  /** Writes every open group to the outbox now. */
  flush(): Promise<void> {
    return this.enqueue(() => this.flushAll());
  }

  /** Flushes open groups and stops every timer; later calls do nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    if (this.options.detectUncleanStop === true) {
      await this.enqueue(() => this.options.store.putAlert({ key: DAEMON_RUN_KEY, status: 'resolved', since: this.options.clock.now(), payload: {} }));
    }
    this.closed = true;
    await this.chain;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  private async markRunning(): Promise<void> {
    const { store, clock } = this.options;
    const previous = await store.getAlert(DAEMON_RUN_KEY);
    if (previous?.status === 'firing') {
      await this.event({
        kind: 'unclean-stop',
        severity: 'warning',
        title: 'streamwarden restarted after an unclean stop',
        what: `the previous daemon, started ${new Date(previous.since).toISOString()}, stopped without shutting down (crash, kill or power loss)`,
      });
    }
    await this.enqueue(() => store.putAlert({ key: DAEMON_RUN_KEY, status: 'firing', since: clock.now(), payload: {} }));
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.resolve();
    const run = this.chain.then(task).catch((error: unknown) => {
      this.options.log?.error({ err: this.options.redact(errorMessage(error)) }, 'alert manager: operation failed');
    });
    this.chain = run;
    return run;
  }

  private timingsFor(condition: AlertCondition): AlertTimings {
    const forMs = this.options.forMs?.[condition];
    return forMs === undefined ? this.timings : { ...this.timings, forMs };
  }

  private muted(stream: string | undefined): boolean {
    const windows = this.options.maintenance?.() ?? [];
    return windows.length > 0 && inMaintenance(windows, stream, this.options.clock.now());
  }

  private redactReport(report: ConditionReport): ConditionReport {
    const r = this.options.redact;
    return {
      ...report,
      title: r(report.title),
      what: r(report.what),
      ...(report.action !== undefined && { action: r(report.action) }),
      ...(report.lastError !== undefined && { lastError: r(report.lastError) }),
    };
  }

  private async apply(step: AlertStep): Promise<void> {
    const { record } = step;
    const previous = this.records.get(record.key);
    if (previous !== record) {
      await this.options.store.putAlert({
        key: record.key,
        status: record.phase === 'resolved' ? 'resolved' : 'firing',
        since: record.phase === 'resolved' ? (record.endedAt ?? record.since) : record.since,
        ...(record.lastNotifiedAt !== undefined && { lastNotifiedAt: record.lastNotifiedAt }),
        ...(record.stream !== undefined && { stream: record.stream }),
        payload: record,
      });
    }
    if (record.phase === 'resolved') this.records.delete(record.key);
    else this.records.set(record.key, record);
    this.timers.get(record.key)?.cancel();
    this.timers.delete(record.key);
    if (step.wakeAt !== undefined) this.armTick(record.key, step.wakeAt);
    else if (record.phase === 'firing' && !record.notified) this.armTick(record.key, this.options.clock.now() + MUTED_RECHECK_MS);
    if (step.notice !== undefined) this.notice(step.notice);
  }

  private armTick(key: string, at: number): void {
    const { clock } = this.options;
    this.timers.set(
      key,
      clock.setTimer(Math.max(0, at - clock.now()), () => {
        this.timers.delete(key);
        void this.enqueue(async () => {
          const record = this.records.get(key);
          if (record !== undefined) await this.apply(tickAlert(record, clock.now(), this.muted(record.stream), this.timingsFor(record.condition)));
        });
      }),
    );
  }

  private notice(item: AlertItem): void {
    const notify = item.stream === undefined ? [] : this.options.streamNotify(item.stream);
    for (const notifier of routeNotice(this.options.routes, notify, item.severity)) {
      let group = this.groups.get(notifier);
      if (group === undefined) {
        group = { items: [] };
        this.groups.set(notifier, group);
      }
      group.items.push(item);
      if (this.windowMs === 0) continue;
      group.timer ??= this.options.clock.setTimer(this.windowMs, () => void this.enqueue(() => this.flushOne(notifier)));
    }
    if (this.windowMs === 0) void this.enqueue(() => this.flushAll());
  }

  private async flushAll(): Promise<void> {
    for (const notifier of [...this.groups.keys()]) await this.flushOne(notifier);
  }

  private async flushOne(notifier: string): Promise<void> {
    const group = this.groups.get(notifier);
    if (group === undefined) return;
    this.groups.delete(notifier);
    group.timer?.cancel();
    if (group.items.length === 0) return;
    const now = this.options.clock.now();
    const streams = new Set(group.items.map((i) => i.stream));
    const [only] = streams;
    try {
      await this.options.store.enqueueNotification({
        notifier,
        ...(streams.size === 1 && only !== undefined && { stream: only }),
        // Each alert once, in its net state (a flap inside the window is not firing+resolved+firing).
        payload: { createdAt: now, items: coalesceItems(group.items) },
        createdAt: now,
      });
    } catch (error) {
      // The store cannot take it now: keep the items (ahead of newer ones) and try again later.
      const again = this.groups.get(notifier) ?? { items: [] };
      again.items.unshift(...group.items);
      this.groups.set(notifier, again);
      again.timer ??= this.options.clock.setTimer(Math.max(this.windowMs, STORE_RETRY_MS), () => void this.enqueue(() => this.flushOne(notifier)));
      throw error;
    }
    try {
      this.options.onEnqueued?.();
    } catch {
      // The worker's poller picks the message up anyway.
    }
  }
}
