/** Notifier providers by type: adding one is a new file and one line here. */
import type { NotifierType } from '../../config/types.js';
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
