/** The notification outbox: what is to be sent, with each attempt's outcome. */
import type { JsonValue } from './json-value.js';
import { StreamwardenError } from '../../domain/errors.js';

export type NotificationStatus = 'pending' | 'sent' | 'failed';

export interface NotificationInput {
  readonly notifier: string;
  readonly stream?: string;
  readonly payload: unknown;
  readonly createdAt: number;
  /** First attempt not before this time. @default createdAt */
  readonly nextAttemptAt?: number;
}

export interface OutboxNotification {
  readonly id: number;
  readonly notifier: string;
  readonly stream?: string;
  readonly payload: JsonValue;
  /** Attempts made so far (each `markNotification` counts one). */
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly status: NotificationStatus;
  readonly lastError?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The outcome of one delivery attempt. The caller computes the backoff (a pure function). */
export type NotificationOutcome =
  | { readonly status: 'sent'; readonly at: number }
  | { readonly status: 'pending'; readonly at: number; readonly error: string; readonly nextAttemptAt: number }
  | { readonly status: 'failed'; readonly at: number; readonly error: string };

export interface OutboxRepository {
  enqueueNotification(notification: NotificationInput): Promise<number>;
  /** Pending notifications with `nextAttemptAt <= now`, soonest first. */
  dueNotifications(now: number, limit: number): Promise<OutboxNotification[]>;
  /** Records one attempt. Throws UnknownNotificationError when no notification has this id. */
  markNotification(id: number, outcome: NotificationOutcome): Promise<void>;
}

export class UnknownNotificationError extends StreamwardenError {
  constructor(readonly notificationId: number) {
    super('NOTIFICATION_NOT_FOUND', `no notification with id ${notificationId}`);
  }
}
