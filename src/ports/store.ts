/**
 * Durable state: what the user wants (stream specs, desired state, owner), what the daemon runs
 * (the runtime registry used to re-attach after a daemon restart), and what happened (runs,
 * recoveries, events, alerts, the notification outbox).
 *
 * Contracts every implementation keeps (test/contract/store-contract.ts checks them):
 * - Every method is async and throws only the named errors below (or a bug). Nothing of the
 *   database leaks through: a PostgreSQL implementation can stand beside the SQLite one.
 * - Times are milliseconds since the Unix epoch, passed in by the caller (or the store's clock
 *   for `updatedAt`); the store never decides what time it is for history rows.
 * - `desired` changes only through `setDesired` (user intent). `putStream` never rewrites it, and
 *   nothing observed (a crash, a shutdown) ever does.
 * - `generation` comes from one store-wide counter: every change to a stream (spec or desired)
 *   gets a value above every value handed out before, even across delete and re-create.
 * - The runtime registry is not tied to `streams`: an entry outlives a deleted spec, so a
 *   restarted daemon can still find (and stop) a process it started for a stream now gone.
 * - Engines (the pool) are stored whole: spec, source, usage and claims in one write, so a claim
 *   and the `lastStreamUsage` it stamped survive a restart together.
 * - Text written here (log lines, payloads, errors) is already redacted by the caller. Specs are
 *   stored as given (they carry stream keys): the store's file or database must stay private.
 */
import { StreamwardenError } from '../domain/errors.js';
import type { AlertsRepository } from './repositories/alerts.js';
import type { EnginesRepository } from './repositories/engines.js';
import type { EventsRepository } from './repositories/events.js';
import type { OutboxRepository } from './repositories/outbox.js';
import type { RecoveriesRepository } from './repositories/recoveries.js';
import type { RunsRepository } from './repositories/runs.js';
import type { RuntimeRepository } from './repositories/runtime.js';
import type { StreamsRepository } from './repositories/streams.js';

export * from './repositories/alerts.js';
export * from './repositories/engines.js';
export * from './repositories/events.js';
export * from './repositories/json-value.js';
export * from './repositories/outbox.js';
export * from './repositories/recoveries.js';
export * from './repositories/runs.js';
export * from './repositories/runtime.js';
export * from './repositories/streams.js';

export interface PruneOptions {
  readonly now: number;
  /** Newest runs kept per stream (a run still in the runtime registry is always kept). */
  readonly keepRunsPerStream: number;
  /** Runs that ended longer ago than this go even if fewer are left (streams deleted long ago). */
  readonly maxRunAgeMs?: number;
  readonly maxEventAgeMs: number;
  readonly maxRecoveryAgeMs: number;
  /** Sent and failed notifications older than this (by last update) go; pending ones stay. */
  readonly maxSentNotificationAgeMs: number;
  /** Resolved alerts older than this (by `since`) go. Default: kept. */
  readonly maxResolvedAlertAgeMs?: number;
}

/** Rows removed, per kind. */
export interface PruneResult {
  readonly runs: number;
  readonly events: number;
  readonly recoveries: number;
  readonly notifications: number;
  readonly alerts: number;
}

/** The store's own upkeep: retention, a writability probe, closing. */
export interface StoreMaintenance {
  /** Retention: run on a schedule so the store does not grow without bound. */
  prune(options: PruneOptions): Promise<PruneResult>;
  /** A tiny write in a transaction; throws StoreUnavailableError when the store cannot take writes. */
  checkWritable(): Promise<void>;
  /** Idempotent; every later call throws StoreUnavailableError (reason `closed`). */
  close(): Promise<void>;
}

/**
 * The whole store: every repository over one database. Parts take the narrow repositories they
 * use; the daemon opens one Store and hands it out.
 */
export interface Store
  extends StreamsRepository,
    RuntimeRepository,
    RunsRepository,
    RecoveriesRepository,
    EventsRepository,
    AlertsRepository,
    OutboxRepository,
    EnginesRepository,
    StoreMaintenance {}

/** Why the store cannot serve: the daemon reports it, retries, and keeps its streams running. */
export type StoreUnavailableReason = 'full' | 'read-only' | 'locked' | 'io' | 'cannot-open' | 'corrupt' | 'closed';

export class StoreUnavailableError extends StreamwardenError {
  constructor(
    readonly reason: StoreUnavailableReason,
    /** The driver's own code, e.g. SQLITE_FULL, SQLITE_READONLY, SQLITE_BUSY, EACCES. */
    readonly driverCode: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('STORE_UNAVAILABLE', `the store is unavailable (${reason}, ${driverCode}): ${detail}`, options);
  }
}

/** The stored schema is newer than this build understands (a downgrade): refuse rather than guess. */
export class StoreSchemaError extends StreamwardenError {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super('STORE_SCHEMA_NEWER', `the store has schema version ${found}; this build supports up to ${supported}`);
  }
}
