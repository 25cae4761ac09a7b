/** What startDaemon takes and gives. */
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Watchdog } from '../watchdog/watchdog.js';
import type { EventJournal } from '../events/event-journal.js';
import type { StreamwardenMetrics } from '../metrics/streamwarden-metrics.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ProcessRunner } from '../ports/process-runner.js';
import type { Store } from '../ports/store.js';
import type { Reconciler } from '../reconcile/reconciler.js';

export interface DaemonOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly runner?: ProcessRunner;
  /** Listen on this port instead of the configured one (0 = any free port). */
  readonly port?: number;
  /**
   * The file `config` was loaded from: watched, and re-read by `reload()` (SIGHUP). Absent for a
   * configuration built in memory (the demo): its streams are applied once, never reloaded.
   */
  readonly configPath?: string;
  /** `${VAR}` values for config reloads. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** While the store cannot be opened, try again this often. @default 10000 */
  readonly storeRetryMs?: number;
}

export interface Daemon {
  readonly supervisor: Supervisor;
  /** The watchdog layer: checks, health, the recovery decider per stream. */
  readonly watchdog: Watchdog;
  /** The events the API publishes (SSE); notifiers publish `notification` events here. */
  readonly journal: EventJournal;
  /** For the watchdog and notifiers: check results and notification outcomes. */
  readonly metrics: StreamwardenMetrics;
  readonly logger: Logger;
  /** The base URL the HTTP server listens on, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  /** The store, once open (undefined while it is unavailable). */
  store(): Store | undefined;
  /** The reconcile loop feeding the supervisor from the store's desired set. */
  readonly reconciler: Reconciler;
  /** Re-reads the configuration file (SIGHUP); a no-op without a config path. Never throws. */
  reload(): Promise<void>;
  /** Stops the HTTP server and every stream; resolves when all ffmpeg processes have exited. */
  stop(): Promise<void>;
  /**
   * True when ffmpeg runs under the FIFO runner: its processes outlive the daemon on purpose, and
   * a crash must leave them running for the next daemon to re-attach to.
   */
  readonly processesSurviveExit: boolean;
  /** Last resort (second signal): SIGKILLs every ffmpeg group still live. Synchronous. */
  killAllSync(): number;
}
