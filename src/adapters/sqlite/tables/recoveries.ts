/** Recoveries: what failed, where, what was done, how long detection and recovery took. */
import type Database from 'better-sqlite3';
import type { RecoveryAction } from '../../../domain/stream-spec.js';
import type { FailureCause, FailureLocus } from '../../../domain/watchdog/failure-locus.js';
import type { RecoveryRecord, TakenAction } from '../../../domain/watchdog/recovery-record.js';
import type { StoredRecovery } from '../../../ports/store.js';
import { clampLimit, optional, toJson } from './json.js';

interface RecoveryRow {
  id: number;
  stream: string;
  cause: string;
  locus: string;
  action: string;
  detail: string;
  actions_json: string;
  failed_at: number;
  detected_at: number;
  detected_after_ms: number;
  recovered_at: number | null;
  recovered_after_ms: number | null;
}

function toRecovery(row: RecoveryRow): StoredRecovery {
  return {
    id: row.id,
    stream: row.stream,
    cause: row.cause as FailureCause,
    locus: row.locus as FailureLocus,
    action: row.action as RecoveryAction | 'none',
    detail: row.detail,
    actions: JSON.parse(row.actions_json) as TakenAction[],
    failedAt: row.failed_at,
    detectedAt: row.detected_at,
    detectedAfterMs: row.detected_after_ms,
    ...optional('recoveredAt', row.recovered_at),
    ...optional('recoveredAfterMs', row.recovered_after_ms),
  };
}

const ORDER = 'ORDER BY detected_at DESC, id DESC LIMIT @limit';

export class RecoveriesTable {
  private readonly insert;
  private readonly selectAll;
  private readonly selectByStream;

  constructor(db: Database.Database) {
    this.insert = db.prepare<[Omit<RecoveryRow, 'id'>], { id: number }>(
      `INSERT INTO recoveries (stream, cause, locus, action, detail, actions_json, failed_at, detected_at,
         detected_after_ms, recovered_at, recovered_after_ms)
       VALUES (@stream, @cause, @locus, @action, @detail, @actions_json, @failed_at, @detected_at,
         @detected_after_ms, @recovered_at, @recovered_after_ms)
       RETURNING id`,
    );
    this.selectAll = db.prepare<[{ limit: number }], RecoveryRow>(`SELECT * FROM recoveries ${ORDER}`);
    this.selectByStream = db.prepare<[{ stream: string; limit: number }], RecoveryRow>(
      `SELECT * FROM recoveries WHERE stream = @stream ${ORDER}`,
    );
  }

  record(record: RecoveryRecord): number {
    const row = this.insert.get({
      stream: record.stream,
      cause: record.cause,
      locus: record.locus,
      action: record.action,
      detail: record.detail,
      actions_json: toJson(record.actions),
      failed_at: record.failedAt,
      detected_at: record.detectedAt,
      detected_after_ms: record.detectedAfterMs,
      recovered_at: record.recoveredAt ?? null,
      recovered_after_ms: record.recoveredAfterMs ?? null,
    });
    if (!row) throw new Error('INSERT … RETURNING returned no row');
    return row.id;
  }

  list(options: { readonly stream?: string; readonly limit: number }): StoredRecovery[] {
    const limit = clampLimit(options.limit);
    const rows = options.stream === undefined ? this.selectAll.all({ limit }) : this.selectByStream.all({ stream: options.stream, limit });
    return rows.map(toRecovery);
  }
}
