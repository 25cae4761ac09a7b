/** What a notifier factory receives. */
import type { NotifierConfig } from '../../config/types.js';
import type { RateLimit } from '../../domain/alerts/delivery.js';
import type { Redactor } from '../../domain/redact.js';
import type { MessageTemplates } from '../../domain/alerts/templates.js';
import type { Notifier } from '../../ports/notifier.js';

export interface NotifierFactoryInput {
  readonly config: NotifierConfig;
  /** Masks the notifier's URL / token (and every other configured secret) in error texts. */
  readonly redact: Redactor;
  readonly templates?: MessageTemplates;
  /** Overrides the provider's default limit. */
  readonly rateLimit?: RateLimit;
  /** Telegram: the Bot API base URL (tests point it at a local server). */
  readonly apiUrl?: string;
}

export type NotifierFactory = (input: NotifierFactoryInput) => Notifier;
