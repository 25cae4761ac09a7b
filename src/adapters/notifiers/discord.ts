/** Discord webhook: one embed per alert item (up to 10 per message), coloured by severity. */
import { type NotificationMessage, type Severity } from '../../domain/alerts/message.js';
import { renderItem, renderTitle, type MessageTemplates } from '../../domain/alerts/templates.js';
import type { Notifier, SendResult } from '../../ports/notifier.js';
import { postJson } from './http-post.js';
import type { NotifierFactoryInput } from './registry-types.js';

export const SEVERITY_COLOURS: Readonly<Record<Severity | 'resolved', number>> = {
  critical: 0xe01e5a,
  warning: 0xf2a900,
  info: 0x3b88c3,
  resolved: 0x2eb67d,
};

/** Discord's limits: 10 embeds per message, 256 characters per embed title, 4096 per description. */
const MAX_EMBEDS = 10;

export function discordBody(message: NotificationMessage, templates?: MessageTemplates): Record<string, unknown> {
  const shown = message.items.slice(0, MAX_EMBEDS);
  const more = message.items.length - shown.length;
  return {
    content: renderTitle(message, templates).slice(0, 2_000),
    embeds: shown.map((item) => ({
      title: renderTitle({ createdAt: message.createdAt, items: [item] }, templates).slice(0, 256),
      description: renderItem(item, templates).slice(0, 4_096),
      color: item.status === 'resolved' ? SEVERITY_COLOURS.resolved : SEVERITY_COLOURS[item.severity],
      timestamp: new Date(item.endedAt ?? item.since).toISOString(),
      ...(more > 0 && item === shown[shown.length - 1] && { footer: { text: `and ${more} more` } }),
    })),
    allowed_mentions: { parse: [] },
  };
}

export function createDiscordNotifier(input: NotifierFactoryInput): Notifier {
  const { config, redact } = input;
  if (config.type !== 'discord') throw new Error(`not a discord notifier: ${config.type}`);
  return {
    id: config.id,
    type: 'discord',
    rateLimit: input.rateLimit ?? { capacity: 5, perMs: 2_000 },
    send: (message, signal): Promise<SendResult> => postJson(config.url, discordBody(message, input.templates), signal, { redact }),
  };
}
