/** Notifier providers by type: adding one is a new file and one line here. */
import type { NotifierConfig, NotifierType } from '../../config/types.js';
import type { Redactor } from '../../domain/redact.js';
import { createDiscordNotifier } from './discord.js';
import type { NotifierFactory, NotifierFactoryInput } from './registry-types.js';
import { createSlackNotifier } from './slack.js';
import { createTelegramNotifier } from './telegram.js';
import { createWebhookNotifier } from './webhook.js';
import type { Notifier } from '../../ports/notifier.js';

export type { NotifierFactory, NotifierFactoryInput } from './registry-types.js';

export const NOTIFIER_FACTORIES: Readonly<Record<NotifierType, NotifierFactory>> = {
  discord: createDiscordNotifier,
  slack: createSlackNotifier,
  telegram: createTelegramNotifier,
  webhook: createWebhookNotifier,
};

export function createNotifier(input: NotifierFactoryInput): Notifier {
  return NOTIFIER_FACTORIES[input.config.type](input);
}

/** A configured notifier with its templates, rate limit and (Telegram) API URL, as the config says. */
export function notifierFromConfig(config: NotifierConfig, redact: Redactor): Notifier {
  return createNotifier({
    config,
    redact,
    ...(config.templates !== undefined && { templates: config.templates }),
    ...(config.rateLimit !== undefined && { rateLimit: config.rateLimit }),
    ...(config.type === 'telegram' && config.apiUrl !== undefined && { apiUrl: config.apiUrl }),
  });
}
