/** Telegram bot API `sendMessage` (plain text; no parse mode, so no escaping to get wrong). */
import type { NotificationMessage } from '../../domain/alerts/message.js';
import { renderPlain, type MessageTemplates } from '../../domain/alerts/templates.js';
import type { Notifier, SendResult } from '../../ports/notifier.js';
import { postJson } from './http-post.js';
import type { NotifierFactoryInput } from './registry-types.js';

export const TELEGRAM_API_URL = 'https://api.telegram.org';
const MAX_TEXT = 4_096;

export function telegramBody(chatId: string, message: NotificationMessage, templates?: MessageTemplates): Record<string, unknown> {
  return { chat_id: chatId, text: renderPlain(message, templates).slice(0, MAX_TEXT), disable_web_page_preview: true };
}

export function createTelegramNotifier(input: NotifierFactoryInput): Notifier {
  const { config, redact } = input;
  if (config.type !== 'telegram') throw new Error(`not a telegram notifier: ${config.type}`);
  const base = (input.apiUrl ?? TELEGRAM_API_URL).replace(/\/+$/, '');
  const url = `${base}/bot${config.botToken}/sendMessage`;
  return {
    id: config.id,
    type: 'telegram',
    // Telegram: about 1 message per second per chat, 20 per minute per group.
    rateLimit: input.rateLimit ?? { capacity: 1, perMs: 1_000 },
    send: (message, signal): Promise<SendResult> =>
      postJson(url, telegramBody(config.chatId, message, input.templates), signal, {
        redact,
        acceptBody: (body) => typeof body !== 'object' || body === null || (body as Record<string, unknown>).ok !== false,
      }),
  };
}
