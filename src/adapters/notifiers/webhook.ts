/**
 * Generic webhook shaped like an Alertmanager webhook (version 4): `status`, `alerts[]` with
 * `labels`, `annotations`, `startsAt`, `endsAt`, `fingerprint`, plus `groupKey`,
 * `commonLabels` and friends, so tools that take Alertmanager's payload take ours.
 */
import { createHash } from 'node:crypto';
import { messageStatus, type AlertItem, type NotificationMessage } from '../../domain/alerts/message.js';
import { renderItem, renderTitle, type MessageTemplates } from '../../domain/alerts/templates.js';
import type { Notifier, SendResult } from '../../ports/notifier.js';
import { postJson } from './http-post.js';
import type { NotifierFactoryInput } from './registry-types.js';

/** Alertmanager's "zero" time for an alert that has not ended. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function fingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function labels(item: AlertItem): Record<string, string> {
  return { alertname: item.kind, severity: item.severity, ...(item.stream !== undefined && { stream: item.stream }) };
}

function commonLabels(items: readonly AlertItem[]): Record<string, string> {
  const [first, ...rest] = items.map(labels);
  if (first === undefined) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((l) => l[k] === v)));
}

export function webhookBody(receiver: string, message: NotificationMessage, templates?: MessageTemplates): Record<string, unknown> {
  const common = commonLabels(message.items);
  return {
    version: '4',
    groupKey: `streamwarden:${JSON.stringify(common)}`,
    truncatedAlerts: 0,
    status: messageStatus(message),
    receiver,
    groupLabels: {},
    commonLabels: common,
    commonAnnotations: {},
    externalURL: '',
    alerts: message.items.map((item) => ({
      status: item.status,
      labels: labels(item),
      annotations: {
        summary: renderTitle({ createdAt: message.createdAt, items: [item] }, templates),
        description: renderItem(item, templates),
        ...(item.action !== undefined && { action: item.action }),
        ...(item.lastError !== undefined && { last_error: item.lastError }),
        ...(item.reminder === true && { reminder: 'true' }),
      },
      startsAt: new Date(item.since).toISOString(),
      endsAt: item.endedAt === undefined ? ZERO_TIME : new Date(item.endedAt).toISOString(),
      generatorURL: '',
      fingerprint: fingerprint(item.key),
    })),
  };
}

export function createWebhookNotifier(input: NotifierFactoryInput): Notifier {
  const { config, redact } = input;
  if (config.type !== 'webhook') throw new Error(`not a webhook notifier: ${config.type}`);
  return {
    id: config.id,
    type: 'webhook',
    rateLimit: input.rateLimit ?? { capacity: 10, perMs: 1_000 },
    send: (message, signal): Promise<SendResult> => postJson(config.url, webhookBody(config.id, message, input.templates), signal, { redact }),
  };
}
