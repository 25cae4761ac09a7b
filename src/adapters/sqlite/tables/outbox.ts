/** The notification outbox: a notice is stored before it is sent, so a restart or an outage loses none. */
import type Database from 'better-sqlite3';
import {
  UnknownNotificationError,
  type NotificationInput,
  type NotificationOutcome,
  type NotificationStatus,
  type OutboxNotification,
} from '../../../ports/store.js';
import { clampLimit, fromJson, optional, toJson } from './json.js';

interface NotificationRow {
  id: number;
  notifier: string;
  stream: string | null;
  payload_json: string;
  attempts: number;
  next_attempt_at: number;
  status: string;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

interface MarkRow {
  id: number;
  status: NotificationStatus;
  next_attempt_at: number | null;
  last_error: string | null;
  updated_at: number;
}

function toNotification(row: NotificationRow): OutboxNotification {
  return {
    id: row.id,
    notifier: row.notifier,
    ...optional('stream', row.stream),
    payload: fromJson(row.payload_json),
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    status: row.status as NotificationStatus,
    ...optional('lastError', row.last_error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class OutboxTable {
  private readonly insert;
  private readonly selectDue;
  private readonly update;

  constructor(db: Database.Database) {
    this.insert = db.prepare<[Omit<NotificationRow, 'id' | 'attempts' | 'status' | 'last_error'>], { id: number }>(
      `INSERT INTO notifications (notifier, stream, payload_json, next_attempt_at, status, created_at, updated_at)
       VALUES (@notifier, @stream, @payload_json, @next_attempt_at, 'pending', @created_at, @updated_at)
       RETURNING id`,
    );
    this.selectDue = db.prepare<[number, number], NotificationRow>(
      "SELECT * FROM notifications WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    );
    // A retry keeps the notice pending with a later attempt; `sent` keeps the last error for the record.
    this.update = db.prepare<[MarkRow]>(
      `UPDATE notifications SET attempts = attempts + 1, status = @status,
         next_attempt_at = COALESCE(@next_attempt_at, next_attempt_at),
         last_error = COALESCE(@last_error, last_error), updated_at = @updated_at
       WHERE id = @id`,
    );
  }

  enqueue(input: NotificationInput): number {
    const row = this.insert.get({
      notifier: input.notifier,
      stream: input.stream ?? null,
      payload_json: toJson(input.payload),
      next_attempt_at: input.nextAttemptAt ?? input.createdAt,
      created_at: input.createdAt,
      updated_at: input.createdAt,
    });
    if (!row) throw new Error('INSERT … RETURNING returned no row');
    return row.id;
  }

  due(now: number, limit: number): OutboxNotification[] {
    return this.selectDue.all(now, clampLimit(limit)).map(toNotification);
  }

  mark(id: number, outcome: NotificationOutcome): void {
    const result = this.update.run({
      id,
      status: outcome.status,
      next_attempt_at: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
      last_error: outcome.status === 'sent' ? null : outcome.error,
      updated_at: outcome.at,
    });
    if (result.changes === 0) throw new UnknownNotificationError(id);
  }
}
