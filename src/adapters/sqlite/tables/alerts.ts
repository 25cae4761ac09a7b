/** Alert state, one row per alert key. */
import type Database from 'better-sqlite3';
import type { AlertInput, AlertState, AlertStatus } from '../../../ports/store.js';
import { fromJson, optional, toJson } from './json.js';

interface AlertRow {
  key: string;
  status: string;
  since: number;
  last_notified_at: number | null;
  stream: string | null;
  payload_json: string;
}

function toAlert(row: AlertRow): AlertState {
  return {
    key: row.key,
    status: row.status as AlertStatus,
    since: row.since,
    ...optional('lastNotifiedAt', row.last_notified_at),
    ...optional('stream', row.stream),
    payload: fromJson(row.payload_json),
  };
}

export class AlertsTable {
  private readonly upsert;
  private readonly selectOne;
  private readonly selectAll;
  private readonly selectByStatus;

  constructor(db: Database.Database) {
    this.upsert = db.prepare<[AlertRow]>(
      `INSERT INTO alerts (key, status, since, last_notified_at, stream, payload_json)
       VALUES (@key, @status, @since, @last_notified_at, @stream, @payload_json)
       ON CONFLICT (key) DO UPDATE SET status = excluded.status, since = excluded.since,
         last_notified_at = excluded.last_notified_at, stream = excluded.stream, payload_json = excluded.payload_json`,
    );
    this.selectOne = db.prepare<[string], AlertRow>('SELECT * FROM alerts WHERE key = ?');
    this.selectAll = db.prepare<[], AlertRow>('SELECT * FROM alerts ORDER BY key');
    this.selectByStatus = db.prepare<[string], AlertRow>('SELECT * FROM alerts WHERE status = ? ORDER BY key');
  }

  put(alert: AlertInput): void {
    this.upsert.run({
      key: alert.key,
      status: alert.status,
      since: alert.since,
      last_notified_at: alert.lastNotifiedAt ?? null,
      stream: alert.stream ?? null,
      payload_json: toJson(alert.payload),
    });
  }

  get(key: string): AlertState | undefined {
    const row = this.selectOne.get(key);
    return row && toAlert(row);
  }

  list(status?: AlertStatus): AlertState[] {
    return (status === undefined ? this.selectAll.all() : this.selectByStatus.all(status)).map(toAlert);
  }
}
