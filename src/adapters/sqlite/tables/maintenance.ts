/** Retention and the writability probe. */
import type Database from 'better-sqlite3';
import type { PruneOptions, PruneResult } from '../../../ports/store.js';

/** A run still named by the runtime registry is never pruned: a re-attached daemon ends it later. */
const NOT_REGISTERED = 'id NOT IN (SELECT run_id FROM runtime)';

export class Maintenance {
  private readonly pruneRunsBeyond;
  private readonly pruneRunsBefore;
  private readonly pruneEvents;
  private readonly pruneRecoveries;
  private readonly pruneNotifications;
  private readonly pruneAlerts;
  private readonly touch;

  constructor(private readonly db: Database.Database) {
    this.pruneRunsBeyond = db.prepare<[number]>(
      `DELETE FROM runs WHERE ${NOT_REGISTERED} AND id IN (
         SELECT id FROM (
           SELECT id, ROW_NUMBER() OVER (PARTITION BY stream ORDER BY started_at DESC, id DESC) AS newest FROM runs
         ) WHERE newest > ?)`,
    );
    this.pruneRunsBefore = db.prepare<[number]>(`DELETE FROM runs WHERE ${NOT_REGISTERED} AND COALESCE(ended_at, started_at) < ?`);
    this.pruneEvents = db.prepare<[number]>('DELETE FROM events WHERE at < ?');
    this.pruneRecoveries = db.prepare<[number]>('DELETE FROM recoveries WHERE COALESCE(recovered_at, detected_at) < ?');
    this.pruneNotifications = db.prepare<[number]>("DELETE FROM notifications WHERE status <> 'pending' AND updated_at < ?");
    this.pruneAlerts = db.prepare<[number]>("DELETE FROM alerts WHERE status = 'resolved' AND since < ?");
    this.touch = db.prepare<[number]>("UPDATE store_meta SET value = ? WHERE key = 'writable_check'");
  }

  prune(options: PruneOptions): PruneResult {
    const before = (ageMs: number): number => options.now - Math.max(0, ageMs);
    return this.db
      .transaction((): PruneResult => {
        let runs = this.pruneRunsBeyond.run(Math.max(0, Math.floor(options.keepRunsPerStream))).changes;
        if (options.maxRunAgeMs !== undefined) runs += this.pruneRunsBefore.run(before(options.maxRunAgeMs)).changes;
        return {
          runs,
          events: this.pruneEvents.run(before(options.maxEventAgeMs)).changes,
          recoveries: this.pruneRecoveries.run(before(options.maxRecoveryAgeMs)).changes,
          notifications: this.pruneNotifications.run(before(options.maxSentNotificationAgeMs)).changes,
          alerts:
            options.maxResolvedAlertAgeMs === undefined ? 0 : this.pruneAlerts.run(before(options.maxResolvedAlertAgeMs)).changes,
        };
      })
      .immediate();
  }

  /** Writes one row in an IMMEDIATE transaction: fails fast when the file is read-only, full or locked. */
  checkWritable(now: number): void {
    this.db.transaction(() => this.touch.run(now)).immediate();
  }
}
