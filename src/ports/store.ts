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
import type { EngineSource, EngineSpec } from '../domain/engines/engine-spec.js';
import { StreamwardenError } from '../domain/errors.js';
import type { ExitReason } from '../domain/lifecycle.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';
import type { RecoveryRecord } from '../domain/watchdog/recovery-record.js';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Which desired-state source a stream belongs to; the others may not change it. */
export type StreamOwner = 'file' | 'api' | 'controller';
export const STREAM_OWNERS: readonly StreamOwner[] = ['file', 'api', 'controller'];

export interface StoredStream {
  readonly id: string;
  /** `spec.desired` always equals `desired` below. */
  readonly spec: StreamSpec;
  readonly desired: DesiredState;
  readonly owner: StreamOwner;
  readonly generation: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PutStreamInput {
  readonly spec: StreamSpec;
  readonly owner: StreamOwner;
}

export interface PutStreamResult {
  readonly stream: StoredStream;
  /** `unchanged` when the spec was equal to the stored one (nothing written, generation kept). */
  readonly change: 'created' | 'updated' | 'unchanged';
}

/** Given, the write is refused with StreamOwnedError unless the stream belongs to this owner. */
export interface OwnerGuard {
  readonly owner?: StreamOwner;
}

/** Where a run's named pipes live, so a new daemon can reopen them and keep reading. */
export interface RuntimePaths {
  readonly dir: string;
  readonly progressPipe: string;
  readonly stderrPipe: string;
}

/** One process the daemon started and may re-attach to; a pid is trusted only if all of it matches. */
export interface RuntimeEntry {
  readonly stream: string;
  readonly runId: number;
  readonly pid: number;
  /** Process-group id: stop signals go to the group. */
  readonly pgid: number;
  /** Field 22 of /proc/PID/stat (clock ticks after boot): tells a reused pid from ours. */
  readonly startTicks: number;
  /** /proc/sys/kernel/random/boot_id when started: after a reboot every entry is void. */
  readonly bootId: string;
  /** Hash of the spec the process runs, to tell whether the spec changed while we were away. */
  readonly specHash: string;
  /** Hash of the expected /proc/PID/cmdline, when known: "the command line is ours". */
  readonly cmdlineHash?: string;
  readonly paths: RuntimePaths;
  readonly startedAt: number;
}

/** Why a run ended; `lost` when the daemon lost it (gone while the daemon was down, or a reboot). */
export type RunEndReason = ExitReason | 'lost';

export interface RunStartInput {
  readonly stream: string;
  readonly startedAt: number;
  readonly pid?: number;
  readonly specHash?: string;
}

export interface RunEndInput {
  readonly endedAt: number;
  readonly reason: RunEndReason;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly lastError?: string;
  readonly firstLines: readonly string[];
  readonly lastLines: readonly string[];
}

export interface StoredRun {
  readonly runId: number;
  readonly stream: string;
  readonly startedAt: number;
  readonly pid?: number;
  readonly specHash?: string;
  /** Absent while the run has not ended (or was not recorded as ended). */
  readonly end?: RunEndInput;
}

export interface StoredRecovery extends RecoveryRecord {
  readonly id: number;
}

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

export type AlertStatus = 'firing' | 'resolved';

export interface AlertState {
  /** The alert's identity, e.g. `stream-down:cam1`. */
  readonly key: string;
  readonly status: AlertStatus;
  /** When it entered `status`. */
  readonly since: number;
  readonly lastNotifiedAt?: number;
  readonly stream?: string;
  readonly payload: JsonValue;
}

export interface AlertInput extends Omit<AlertState, 'payload'> {
  readonly payload: unknown;
}

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

/** One taken slot of an engine; `stream` names the user when it is a stream. */
export interface StoredEngineClaim {
  readonly claimId: string;
  readonly stream?: string;
  /** Held by the daemon's own supervision of `stream` (released when it stops), not by an API client. */
  readonly supervised?: boolean;
  readonly at: number;
}

/** An engine of the pool with its usage; health is not stored (it is re-learned by polling). */
export interface StoredEngine {
  readonly spec: EngineSpec;
  readonly source: EngineSource;
  readonly addedAt: number;
  readonly lastStreamUsage?: number;
  readonly claims: readonly StoredEngineClaim[];
}

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

export interface Store {
  /** Creates or updates a spec. A new stream starts with `spec.desired`; an existing one keeps its desired state. */
  putStream(input: PutStreamInput): Promise<PutStreamResult>;
  /** The only way desired state changes after creation. Throws UnknownStreamError. */
  setDesired(id: string, desired: DesiredState, guard?: OwnerGuard): Promise<StoredStream>;
  /** False when there was no such stream. */
  deleteStream(id: string, guard?: OwnerGuard): Promise<boolean>;
  getStream(id: string): Promise<StoredStream | undefined>;
  /** Ordered by id. */
  listStreams(): Promise<StoredStream[]>;

  /** Upserts the entry of `entry.stream`. */
  putRuntime(entry: RuntimeEntry): Promise<void>;
  /** With `pid`, only clears an entry still holding that pid (a newer process is left alone). */
  clearRuntime(stream: string, pid?: number): Promise<void>;
  listRuntime(): Promise<RuntimeEntry[]>;

  /** Returns the new run's id. */
  recordRunStart(run: RunStartInput): Promise<number>;
  /** Throws UnknownRunError when no run has this id. */
  recordRunEnd(runId: number, end: RunEndInput): Promise<void>;
  /** Newest first. */
  listRuns(stream: string, limit: number): Promise<StoredRun[]>;

  recordRecovery(record: RecoveryRecord): Promise<number>;
  /** Newest (by detectedAt) first. */
  listRecoveries(options: { readonly stream?: string; readonly limit: number }): Promise<StoredRecovery[]>;

  appendEvent(event: EventInput): Promise<number>;
  /** Events with an id above `afterId`, oldest first. */
  listEvents(afterId: number, limit: number): Promise<StoredEvent[]>;

  /** Upserts by key. */
  putAlert(alert: AlertInput): Promise<void>;
  getAlert(key: string): Promise<AlertState | undefined>;
  /** Ordered by key. */
  listAlerts(options?: { readonly status?: AlertStatus }): Promise<AlertState[]>;

  enqueueNotification(notification: NotificationInput): Promise<number>;
  /** Pending notifications with `nextAttemptAt <= now`, soonest first. */
  dueNotifications(now: number, limit: number): Promise<OutboxNotification[]>;
  /** Records one attempt. Throws UnknownNotificationError when no notification has this id. */
  markNotification(id: number, outcome: NotificationOutcome): Promise<void>;

  /** Inserts or replaces by `spec.id` (`addedAt` of an existing engine is kept). */
  putEngine(engine: StoredEngine): Promise<void>;
  /** False when there was no such engine. */
  deleteEngine(id: string): Promise<boolean>;
  /** Ordered by `addedAt`, then id. */
  listEngines(): Promise<StoredEngine[]>;

  /** Retention: run on a schedule so the store does not grow without bound. */
  prune(options: PruneOptions): Promise<PruneResult>;
  /** A tiny write in a transaction; throws StoreUnavailableError when the store cannot take writes. */
  checkWritable(): Promise<void>;
  /** Idempotent; every later call throws StoreUnavailableError (reason `closed`). */
  close(): Promise<void>;
}

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

export class StreamOwnedError extends StreamwardenError {
  constructor(
    readonly streamId: string,
    readonly owner: StreamOwner,
    readonly requestedBy: StreamOwner,
  ) {
    super('STREAM_OWNED', `stream "${streamId}" is owned by ${owner}; ${requestedBy} may not change it`);
  }
}

export class UnknownRunError extends StreamwardenError {
  constructor(readonly runId: number) {
    super('RUN_NOT_FOUND', `no run with id ${runId}`);
  }
}

export class UnknownNotificationError extends StreamwardenError {
  constructor(readonly notificationId: number) {
    super('NOTIFICATION_NOT_FOUND', `no notification with id ${notificationId}`);
  }
}
