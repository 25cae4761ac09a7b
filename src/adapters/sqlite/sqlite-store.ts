/**
 * The Store port on SQLite (better-sqlite3). The driver is synchronous; every method still
 * returns a Promise so callers are written for any implementation. Failures that mean "cannot
 * serve now" (full, read-only, locked, I/O) reject with StoreUnavailableError.
 */
import type Database from 'better-sqlite3';
import type { DesiredState } from '../../domain/stream-spec.js';
import type { RecoveryRecord } from '../../domain/watchdog/recovery-record.js';
import type { Clock } from '../../ports/clock.js';
import type {
  AlertInput,
  AlertState,
  AlertStatus,
  EventInput,
  NotificationInput,
  NotificationOutcome,
  OutboxNotification,
  OwnerGuard,
  PruneOptions,
  PruneResult,
  PutStreamInput,
  PutStreamResult,
  RunEndInput,
  RunStartInput,
  RuntimeEntry,
  Store,
  StoredEngine,
  StoredEvent,
  StoredRecovery,
  StoredRun,
  StoredStream,
} from '../../ports/store.js';
import { closedError, toStoreError } from './errors.js';
import { migrate, type MigrationOutcome } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { openDatabase, type OpenDatabaseOptions } from './open-database.js';
import { AlertsTable } from './tables/alerts.js';
import { EnginesTable } from './tables/engines.js';
import { EventsTable } from './tables/events.js';
import { Maintenance } from './tables/maintenance.js';
import { OutboxTable } from './tables/outbox.js';
import { RecoveriesTable } from './tables/recoveries.js';
import { RuntimeTable } from './tables/runtime.js';
import { RunsTable } from './tables/runs.js';
import { StreamsTable } from './tables/streams.js';

export interface SqliteStoreOptions extends OpenDatabaseOptions {
  /** Stamps `createdAt` / `updatedAt` of streams and the writability probe. */
  readonly clock: Clock;
}

export class SqliteStore implements Store {
  private readonly streams;
  private readonly runtime;
  private readonly runs;
  private readonly recoveries;
  private readonly events;
  private readonly alerts;
  private readonly outbox;
  private readonly maintenance;
  private readonly engines;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
    /** The schema versions before and after opening. */
    readonly migration: MigrationOutcome,
  ) {
    this.streams = new StreamsTable(db, clock);
    this.runtime = new RuntimeTable(db);
    this.runs = new RunsTable(db);
    this.recoveries = new RecoveriesTable(db);
    this.events = new EventsTable(db);
    this.alerts = new AlertsTable(db);
    this.outbox = new OutboxTable(db);
    this.maintenance = new Maintenance(db);
    this.engines = new EnginesTable(db);
  }

  /** Creates the file if needed (0600, folder 0700), applies pending migrations, prepares statements. */
  static open(options: SqliteStoreOptions): Promise<SqliteStore> {
    let db: Database.Database | undefined;
    try {
      db = openDatabase(options);
      return Promise.resolve(new SqliteStore(db, options.clock, migrate(db, MIGRATIONS)));
    } catch (error) {
      db?.close();
      return Promise.reject(toStoreError(error));
    }
  }

  putStream(input: PutStreamInput): Promise<PutStreamResult> {
    return this.call(() => this.streams.put(input));
  }
  setDesired(id: string, desired: DesiredState, guard?: OwnerGuard): Promise<StoredStream> {
    return this.call(() => this.streams.setDesired(id, desired, guard));
  }
  deleteStream(id: string, guard?: OwnerGuard): Promise<boolean> {
    return this.call(() => this.streams.delete(id, guard));
  }
  getStream(id: string): Promise<StoredStream | undefined> {
    return this.call(() => this.streams.get(id));
  }
  listStreams(): Promise<StoredStream[]> {
    return this.call(() => this.streams.list());
  }

  putRuntime(entry: RuntimeEntry): Promise<void> {
    return this.call(() => this.runtime.put(entry));
  }
  clearRuntime(stream: string, pid?: number): Promise<void> {
    return this.call(() => this.runtime.clear(stream, pid));
  }
  listRuntime(): Promise<RuntimeEntry[]> {
    return this.call(() => this.runtime.list());
  }

  recordRunStart(run: RunStartInput): Promise<number> {
    return this.call(() => this.runs.start(run));
  }
  recordRunEnd(runId: number, end: RunEndInput): Promise<void> {
    return this.call(() => this.runs.end(runId, end));
  }
  listRuns(stream: string, limit: number): Promise<StoredRun[]> {
    return this.call(() => this.runs.list(stream, limit));
  }

  recordRecovery(record: RecoveryRecord): Promise<number> {
    return this.call(() => this.recoveries.record(record));
  }
  listRecoveries(options: { readonly stream?: string; readonly limit: number }): Promise<StoredRecovery[]> {
    return this.call(() => this.recoveries.list(options));
  }

  appendEvent(event: EventInput): Promise<number> {
    return this.call(() => this.events.append(event));
  }
  listEvents(afterId: number, limit: number): Promise<StoredEvent[]> {
    return this.call(() => this.events.listAfter(afterId, limit));
  }

  putAlert(alert: AlertInput): Promise<void> {
    return this.call(() => this.alerts.put(alert));
  }
  getAlert(key: string): Promise<AlertState | undefined> {
    return this.call(() => this.alerts.get(key));
  }
  listAlerts(options: { readonly status?: AlertStatus } = {}): Promise<AlertState[]> {
    return this.call(() => this.alerts.list(options.status));
  }

  enqueueNotification(notification: NotificationInput): Promise<number> {
    return this.call(() => this.outbox.enqueue(notification));
  }
  dueNotifications(now: number, limit: number): Promise<OutboxNotification[]> {
    return this.call(() => this.outbox.due(now, limit));
  }
  markNotification(id: number, outcome: NotificationOutcome): Promise<void> {
    return this.call(() => this.outbox.mark(id, outcome));
  }

  putEngine(engine: StoredEngine): Promise<void> {
    return this.call(() => this.engines.put(engine, this.clock.now()));
  }
  deleteEngine(id: string): Promise<boolean> {
    return this.call(() => this.engines.delete(id));
  }
  listEngines(): Promise<StoredEngine[]> {
    return this.call(() => this.engines.list());
  }

  prune(options: PruneOptions): Promise<PruneResult> {
    return this.call(() => this.maintenance.prune(options));
  }
  checkWritable(): Promise<void> {
    return this.call(() => this.maintenance.checkWritable(this.clock.now()));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    try {
      this.db.pragma('optimize');
    } catch {
      // Read-only or full: the statistics are only a hint.
    }
    return this.call(() => {
      this.db.close();
    }, true);
  }

  /** Runs a synchronous step, as a Promise, with driver failures mapped to the port's errors. */
  private call<T>(step: () => T, evenIfClosed = false): Promise<T> {
    if (this.closed && !evenIfClosed) return Promise.reject(closedError());
    try {
      return Promise.resolve(step());
    } catch (error) {
      return Promise.reject(toStoreError(error));
    }
  }
}

export function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(options);
}
