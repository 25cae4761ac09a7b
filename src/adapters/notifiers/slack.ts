/** Slack incoming webhook: a header block, then a section per alert item (up to 20). */
import type { NotificationMessage } from '../../domain/alerts/message.js';
import { renderItem, renderPlain, renderTitle, type MessageTemplates } from '../../domain/alerts/templates.js';
import type { Notifier, SendResult } from '../../ports/notifier.js';
import { postJson } from './http-post.js';
import type { NotifierFactoryInput } from './registry-types.js';

const MAX_SECTIONS = 20;

export function slackBody(message: NotificationMessage, templates?: MessageTemplates): Record<string, unknown> {
  const shown = message.items.slice(0, MAX_SECTIONS);
  const more = message.items.length - shown.length;
  return {
    text: renderPlain(message, templates).slice(0, 3_000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: renderTitle(message, templates).slice(0, 150) } },
      ...shown.map((item) => ({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${renderTitle({ createdAt: message.createdAt, items: [item] }, templates)}*\n${renderItem(item, templates)}`.slice(0, 3_000),
        },
      })),
      ...(more > 0 ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `and ${more} more` }] }] : []),
    ],
  };
}

export function createSlackNotifier(input: NotifierFactoryInput): Notifier {
  const { config, redact } = input;
  if (config.type !== 'slack') throw new Error(`not a slack notifier: ${config.type}`);
  return {
    id: config.id,
    type: 'slack',
    rateLimit: input.rateLimit ?? { capacity: 1, perMs: 1_000 },
    send: (message, signal): Promise<SendResult> => postJson(config.url, slackBody(message, input.templates), signal, { redact }),
  };
}
