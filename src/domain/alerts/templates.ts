/**
 * Message text, with defaults and per-notifier overrides. A template is plain text with
 * `{{field}}` placeholders: stream, status, severity, title, what, since, endedAt, action,
 * lastError, kind. Fields that are missing render as empty; lines that end up with nothing after
 * their label (e.g. "Last error: ") are dropped. Texts arrive redacted; rendering adds nothing secret.
 */
import { messageSeverity, messageStatus, type AlertItem, type NotificationMessage } from './message.js';

export interface MessageTemplates {
  /** The message's heading. */
  readonly title?: string;
  /** One item's body. */
  readonly item?: string;
}

export const DEFAULT_TITLE_TEMPLATE = '[{{status}}] {{title}}';
export const DEFAULT_ITEM_TEMPLATE = [
  'Stream: {{stream}}',
  'What happened: {{what}}',
  'Since: {{since}}',
  'Resolved: {{endedAt}}',
  'What was done: {{action}}',
  'Last error: {{lastError}}',
].join('\n');

const iso = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString());

function fields(item: AlertItem): Record<string, string> {
  const status = item.status === 'resolved' ? 'RESOLVED' : item.reminder === true ? 'STILL FIRING' : 'FIRING';
  return {
    stream: item.stream ?? '',
    status,
    severity: item.severity,
    title: item.title,
    what: item.what,
    since: iso(item.since),
    endedAt: iso(item.endedAt),
    action: item.action ?? '',
    lastError: item.lastError ?? '',
    kind: item.kind,
  };
}

export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const filled = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => values[name] ?? '');
  return filled
    .split('\n')
    .filter((line) => !/^[^:{}]{1,40}:\s*$/.test(line))
    .join('\n')
    .trim();
}

/** The heading: one item's title, or a count for a group ("3 alerts firing, 1 resolved"). */
export function renderTitle(message: NotificationMessage, templates?: MessageTemplates): string {
  const [first] = message.items;
  if (message.items.length === 1 && first !== undefined) return fillTemplate(templates?.title ?? DEFAULT_TITLE_TEMPLATE, fields(first));
  const firing = message.items.filter((i) => i.status === 'firing').length;
  const resolved = message.items.length - firing;
  const parts = [firing > 0 ? `${firing} firing` : '', resolved > 0 ? `${resolved} resolved` : ''].filter((p) => p !== '');
  const status = messageStatus(message) === 'firing' ? 'FIRING' : 'RESOLVED';
  return `[${status}] ${message.items.length} alerts: ${parts.join(', ')} (${messageSeverity(message)})`;
}

export function renderItem(item: AlertItem, templates?: MessageTemplates): string {
  return fillTemplate(templates?.item ?? DEFAULT_ITEM_TEMPLATE, fields(item));
}

/** Title and every item as plain text, for providers without structure (Telegram). */
export function renderPlain(message: NotificationMessage, templates?: MessageTemplates): string {
  const title = renderTitle(message, templates);
  if (message.items.length === 1 && message.items[0] !== undefined) return `${title}\n${renderItem(message.items[0], templates)}`;
  const bodies = message.items.map((item) => `• ${fillTemplate(DEFAULT_TITLE_TEMPLATE, fields(item))}\n${renderItem(item, templates)}`);
  return [title, ...bodies].join('\n\n');
}
