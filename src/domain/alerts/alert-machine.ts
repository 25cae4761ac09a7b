/**
 * The life of one condition alert, as pure functions of (record, input, now):
 *
 *   (none) ──active──▶ pending ──held for `forMs`──▶ firing ──cleared──▶ resolved
 *                        │                            │  ▲
 *                        └──cleared (never sent)──────┘  └─ reminder every `reminderMs[severity]`
 *
 * While muted (a maintenance window) the state still moves, but nothing is notified: an alert
 * that fired unseen is sent once the window ends if it still fires; its resolution is sent only
 * if its firing was. The record is what the shell persists (store `alerts`), so a restarted
 * daemon neither repeats a notice nor forgets one.
 */
import type { AlertCondition, AlertItem, Severity } from './message.js';

export interface AlertTimings {
  /** The condition must hold this long before the alert fires. */
  readonly forMs: number;
  /** Reminders while firing, per severity; 0 or absent = none. */
  readonly reminderMs: Readonly<Partial<Record<Severity, number>>>;
  /** Send a notice when a fired alert resolves. */
  readonly sendResolved: boolean;
}

export const DEFAULT_ALERT_TIMINGS: AlertTimings = {
  forMs: 0,
  reminderMs: { critical: 60 * 60_000, warning: 4 * 60 * 60_000 },
  sendResolved: true,
};

export type AlertPhase = 'pending' | 'firing' | 'resolved';

export interface AlertRecord {
  readonly key: string;
  readonly condition: AlertCondition;
  readonly stream?: string;
  readonly phase: AlertPhase;
  readonly severity: Severity;
  readonly title: string;
  readonly what: string;
  readonly action?: string;
  readonly lastError?: string;
  /** When the condition started holding. */
  readonly since: number;
  /** When it resolved. */
  readonly endedAt?: number;
  /** True once a firing notice went out for this episode. */
  readonly notified: boolean;
  readonly lastNotifiedAt?: number;
}

/** A report that a condition holds, with what to say about it. */
export interface ConditionReport {
  readonly condition: AlertCondition;
  readonly stream?: string;
  readonly severity: Severity;
  readonly title: string;
  readonly what: string;
  readonly action?: string;
  readonly lastError?: string;
}

export interface AlertStep {
  /** The record to persist (unchanged records are returned as is). */
  readonly record: AlertRecord;
  readonly notice?: AlertItem;
  /** When `tick` should run next for this alert. */
  readonly wakeAt?: number;
}

export function alertKey(condition: AlertCondition, stream: string | undefined): string {
  return `${condition}:${stream ?? '*'}`;
}

function item(record: AlertRecord, status: 'firing' | 'resolved', reminder: boolean): AlertItem {
  return {
    key: record.key,
    kind: record.condition,
    status,
    severity: record.severity,
    title: record.title,
    what: record.what,
    since: record.since,
    ...(record.stream !== undefined && { stream: record.stream }),
    ...(status === 'resolved' && record.endedAt !== undefined && { endedAt: record.endedAt }),
    ...(record.action !== undefined && { action: record.action }),
    ...(record.lastError !== undefined && { lastError: record.lastError }),
    ...(reminder && { reminder: true }),
  };
}

function reminderAt(record: AlertRecord, timings: AlertTimings): number | undefined {
  const every = timings.reminderMs[record.severity] ?? 0;
  if (every <= 0 || record.lastNotifiedAt === undefined) return undefined;
  return record.lastNotifiedAt + every;
}

/** Advances time: fires a pending alert that has held long enough, or reminds. */
export function tickAlert(record: AlertRecord, now: number, muted: boolean, timings: AlertTimings): AlertStep {
  if (record.phase === 'resolved') return { record };
  if (record.phase === 'pending') {
    const due = record.since + timings.forMs;
    if (now < due) return { record, wakeAt: due };
    const firing: AlertRecord = { ...record, phase: 'firing' };
    return tickAlert(firing, now, muted, timings);
  }
  if (!record.notified) {
    if (muted) return { record };
    const sent: AlertRecord = { ...record, notified: true, lastNotifiedAt: now };
    return { record: sent, notice: item(sent, 'firing', false), ...wake(sent, timings) };
  }
  const remindAt = reminderAt(record, timings);
  if (remindAt === undefined) return { record };
  if (now < remindAt) return { record, wakeAt: remindAt };
  if (muted) return { record };
  const reminded: AlertRecord = { ...record, lastNotifiedAt: now };
  return { record: reminded, notice: item(reminded, 'firing', true), ...wake(reminded, timings) };
}

function wake(record: AlertRecord, timings: AlertTimings): { wakeAt?: number } {
  const at = reminderAt(record, timings);
  return at === undefined ? {} : { wakeAt: at };
}

/** The condition holds (again) at `now`. */
export function conditionActive(
  previous: AlertRecord | undefined,
  report: ConditionReport,
  now: number,
  muted: boolean,
  timings: AlertTimings,
): AlertStep {
  const details = {
    severity: report.severity,
    title: report.title,
    what: report.what,
    action: report.action ?? previous?.action,
    lastError: report.lastError ?? previous?.lastError,
  };
  const clean = <T extends object>(r: T): T => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as T;
  if (previous === undefined || previous.phase === 'resolved') {
    const fresh: AlertRecord = clean({
      key: alertKey(report.condition, report.stream),
      condition: report.condition,
      stream: report.stream,
      phase: 'pending' as const,
      since: now,
      notified: false,
      ...details,
    });
    return tickAlert(fresh, now, muted, timings);
  }
  return tickAlert(clean({ ...previous, ...details }), now, muted, timings);
}

/** The condition no longer holds at `now`. */
export function conditionCleared(previous: AlertRecord | undefined, now: number, muted: boolean, timings: AlertTimings): AlertStep | undefined {
  if (previous === undefined || previous.phase === 'resolved') return undefined;
  const resolved: AlertRecord = { ...previous, phase: 'resolved', endedAt: now };
  if (!previous.notified || !timings.sendResolved || muted) return { record: resolved };
  return { record: resolved, notice: item(resolved, 'resolved', false) };
}
