/**
 * What the watchdog reports on its own bus: the recovery actions it takes, the recoveries it
 * records, and notices for people. The API journal publishes them as SSE `recovery` and
 * `notification` events; the notifiers (Discord, Slack, …) will send the notices. Every text
 * here is already redacted.
 */
import type { Severity } from '../domain/alerts/message.js';
import type { RecoveryRecord } from '../domain/watchdog/recovery-record.js';
import type { RecoveryAction } from '../domain/stream-spec.js';

/** What the watchdog did: a rung of the ladder, an input switch, or a stale session dropped. */
export type WatchdogActionType = RecoveryAction | 'drop-stale-session';

export interface WatchdogActionEvent {
  readonly streamId: string;
  readonly phase: 'action';
  readonly action: WatchdogActionType;
  readonly reason: string;
  /** Input switches: from and to which input. */
  readonly fromInput?: number;
  readonly toInput?: number;
  readonly at: number;
}

export interface WatchdogRecoveredEvent {
  readonly streamId: string;
  readonly phase: 'recovered';
  /** Which layer recovered the stream: `fast` for the fast layer's restarts and input failover (default: the watchdog). */
  readonly layer?: 'fast';
  readonly record: RecoveryRecord;
  readonly at: number;
}

export type WatchdogRecoveryEvent = WatchdogActionEvent | WatchdogRecoveredEvent;

export type NotificationKind = 'unhealthy' | 'crashloop' | 'recovered' | 'degraded' | 'degraded-resolved' | 'input-switch';

/** A notice for people, sent on transitions (never on every check). */
export interface NotificationEvent {
  readonly streamId: string;
  readonly kind: NotificationKind;
  readonly severity: Severity;
  /** One short line, e.g. "radio is unhealthy". */
  readonly title: string;
  /** What happened and what was done. Redacted. */
  readonly text: string;
  /** The stream's notifiers (`notify`), by id. */
  readonly notifiers: readonly string[];
  readonly at: number;
}

export interface WatchdogEventMap {
  recovery: WatchdogRecoveryEvent;
  notification: NotificationEvent;
}
