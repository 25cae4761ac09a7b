/**
 * A destination for notifications (Discord, Slack, Telegram, a webhook). One file per provider
 * in src/adapters/notifiers/, created through the registry there.
 *
 * Contract: `send` never throws for a delivery problem; it says what happened so the outbox can
 * retry, wait for a rate limit, or give up. Error texts never contain the destination URL or a
 * token (they end up in the store, logs and metrics).
 */
import type { NotificationMessage } from '../domain/alerts/message.js';
import type { RateLimit } from '../domain/alerts/delivery.js';

export type SendResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** False when trying again cannot help (a 4xx other than 408 / 429). */
      readonly retryable: boolean;
      /** The destination asked us to wait this long (HTTP 429). */
      readonly retryAfterMs?: number;
      /** HTTP status, when there was a response. */
      readonly status?: number;
      /** Short and redacted: never the URL or a token. */
      readonly error: string;
    };

export interface Notifier {
  readonly id: string;
  readonly type: string;
  /** The destination's own limit, so we never provoke a 429 in the first place. */
  readonly rateLimit: RateLimit;
  send(message: NotificationMessage, signal: AbortSignal): Promise<SendResult>;
}
