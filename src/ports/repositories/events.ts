/** The event log, append-only. */
import type { JsonValue } from './json-value.js';

export interface EventInput {
  readonly at: number;
  readonly type: string;
  readonly stream?: string;
  /** Any JSON-serialisable value, already redacted. */
  readonly payload: unknown;
}

export interface StoredEvent {
  /** Grows with every append; never reused. */
  readonly id: number;
  readonly at: number;
  readonly type: string;
  readonly stream?: string;
  readonly payload: JsonValue;
}

export interface EventsRepository {
  appendEvent(event: EventInput): Promise<number>;
  /** Events with an id above `afterId`, oldest first. */
  listEvents(afterId: number, limit: number): Promise<StoredEvent[]>;
}
