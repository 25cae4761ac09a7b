/**
 * What a notification says, independent of any provider: one or more alert items (a burst of
 * streams failing together is one message with many items). Stored in the outbox as JSON and
 * rendered by the provider at send time. Every text here is already redacted.
 */
/** The same union as the config's `Severity` (kept here so the domain depends on nothing). */
export type Severity = 'info' | 'warning' | 'critical';

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** What an alert is about. Conditions hold for a while (and resolve); the rest are one-off events. */
export type AlertCondition = 'unhealthy' | 'degraded' | 'crashloop' | 'engine-unhealthy';
export type AlertEventKind = 'publisher-dropped' | 'input-switched' | 'unclean-stop' | 'test';
export type AlertKind = AlertCondition | AlertEventKind;

/** `firing` includes reminders (`reminder: true`); one-off events are `firing` with no resolution. */
export type ItemStatus = 'firing' | 'resolved';

export interface AlertItem {
  /** The alert's identity, e.g. `unhealthy:cam1`; also the Alertmanager fingerprint source. */
  readonly key: string;
  readonly kind: AlertKind;
  readonly status: ItemStatus;
  readonly severity: Severity;
  readonly stream?: string;
  /** One short line: "cam1 is unhealthy". */
  readonly title: string;
  /** What happened. */
  readonly what: string;
  /** When the condition started (ms since epoch). */
  readonly since: number;
  /** When it resolved. */
  readonly endedAt?: number;
  /** What the daemon did about it. */
  readonly action?: string;
  readonly lastError?: string;
  /** A reminder of an alert still firing. */
  readonly reminder?: boolean;
}

export interface NotificationMessage {
  readonly createdAt: number;
  readonly items: readonly AlertItem[];
}

export function messageStatus(message: NotificationMessage): ItemStatus {
  return message.items.some((item) => item.status === 'firing') ? 'firing' : 'resolved';
}

export function messageSeverity(message: NotificationMessage): Severity {
  let worst: Severity = 'info';
  for (const item of message.items) if (SEVERITY_RANK[item.severity] > SEVERITY_RANK[worst]) worst = item.severity;
  return worst;
}

const KINDS: readonly string[] = ['unhealthy', 'degraded', 'crashloop', 'engine-unhealthy', 'publisher-dropped', 'input-switched', 'unclean-stop', 'test'];
const SEVERITIES: readonly string[] = ['info', 'warning', 'critical'];

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

function parseItem(value: unknown): AlertItem | undefined {
  if (!isRecord(value)) return undefined;
  const { key, kind, status, severity, stream, title, what, since, endedAt, action, lastError, reminder } = value;
  if (typeof key !== 'string' || typeof kind !== 'string' || !KINDS.includes(kind)) return undefined;
  if (status !== 'firing' && status !== 'resolved') return undefined;
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) return undefined;
  if (typeof title !== 'string' || typeof what !== 'string' || typeof since !== 'number') return undefined;
  if (!optionalString(stream) || !optionalString(action) || !optionalString(lastError)) return undefined;
  if (endedAt !== undefined && typeof endedAt !== 'number') return undefined;
  return {
    key,
    kind: kind as AlertKind,
    status,
    severity: severity as Severity,
    title,
    what,
    since,
    ...(stream !== undefined && { stream }),
    ...(endedAt !== undefined && { endedAt }),
    ...(action !== undefined && { action }),
    ...(lastError !== undefined && { lastError }),
    ...(reminder === true && { reminder: true }),
  };
}

/** Reads a message back from stored JSON; undefined when it is not one (a corrupt or foreign row). */
export function parseMessage(value: unknown): NotificationMessage | undefined {
  if (!isRecord(value) || typeof value.createdAt !== 'number' || !Array.isArray(value.items)) return undefined;
  const items: AlertItem[] = [];
  for (const raw of value.items as unknown[]) {
    const item = parseItem(raw);
    if (item === undefined) return undefined;
    items.push(item);
  }
  return items.length === 0 ? undefined : { createdAt: value.createdAt, items };
}
