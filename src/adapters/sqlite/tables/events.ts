/** The event log: append-only, read forward from a cursor. */
import type Database from 'better-sqlite3';
import type { EventInput, StoredEvent } from '../../../ports/store.js';
import { clampLimit, fromJson, optional, toJson } from './json.js';

interface EventRow {
  id: number;
  at: number;
  type: string;
  stream: string | null;
  payload_json: string;
}

export class EventsTable {
  private readonly insert;
  private readonly selectAfter;

  constructor(db: Database.Database) {
    this.insert = db.prepare<[Omit<EventRow, 'id'>], { id: number }>(
      'INSERT INTO events (at, type, stream, payload_json) VALUES (@at, @type, @stream, @payload_json) RETURNING id',
    );
    this.selectAfter = db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?');
  }

  append(event: EventInput): number {
    const row = this.insert.get({ at: event.at, type: event.type, stream: event.stream ?? null, payload_json: toJson(event.payload) });
    if (!row) throw new Error('INSERT … RETURNING returned no row');
    return row.id;
  }

  listAfter(afterId: number, limit: number): StoredEvent[] {
    return this.selectAfter.all(Math.floor(afterId), clampLimit(limit)).map((row) => ({
      id: row.id,
      at: row.at,
      type: row.type,
      ...optional('stream', row.stream),
      payload: fromJson(row.payload_json),
    }));
  }
}
