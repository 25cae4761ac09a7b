/**
 * One supervised stream as the layers above the supervisor see it: what it is, what it does now,
 * its runs, and the few commands the watchdog may give it. StreamSupervisor implements it; the
 * watchdog, the metrics and the API depend on this, not on the class.
 */
import type { Health } from '../domain/health.js';
import type { ExitReason, LifecycleState, ObservedState } from '../domain/lifecycle.js';
import type { ProgressSnapshot } from '../domain/progress-tracker.js';
import type { RestartOrigin } from '../domain/restart-reason.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';

/** One ffmpeg process lifetime, as reported by the API. */
export interface RunRecord {
  readonly runId: number;
  pid: number | undefined;
  readonly startedAt: number;
  endedAt?: number;
  reason?: ExitReason;
  exitCode?: number | null;
  signal?: string | null;
  lastError?: string;
  firstLines: readonly string[];
  lastLines: readonly string[];
  progress?: ProgressSnapshot;
}

export interface StreamStatus {
  readonly id: string;
  readonly name: string;
  readonly desired: LifecycleState['desired'];
  readonly state: ObservedState;
  readonly pid: number | undefined;
  readonly restarts: number;
  readonly uptimeSeconds: number;
  readonly lastError: string | undefined;
  readonly lastProgressAt: number | undefined;
  readonly progress: ProgressSnapshot | undefined;
  /** The stream's one health: the watchdog's judgement while one is attached, else the lifecycle's. */
  readonly health: Health;
  /** Why it has that health, in one line. */
  readonly healthReason: string;
  /** The index into `inputs` in use (pipelines; 0 for args). */
  readonly activeInput: number;
}

/** A health judgement for the current observed state (the watchdog's; see setHealthSource). */
export interface HealthVerdict {
  readonly health: Health;
  readonly reason: string;
}

export type HealthSource = (observed: ObservedState) => HealthVerdict;

/** What the fast layer (this supervisor) knows about the stream's health and its recoveries. */
export interface RecoveryStats {
  /** Automatic restarts since the stream was last healthy (0 while healthy). */
  readonly consecutiveUnhealthy: number;
  /** When the stream was last seen healthy: now while it is, undefined if it never was. */
  readonly lastHealthyAt: number | undefined;
  /** When the restart policy last restarted the stream on its own. */
  readonly lastRecoveryAt: number | undefined;
  /** Automatic restarts over the life of this stream (requested restarts and stops excluded). */
  readonly recoveries: number;
}

/** The stream as its watchdog drives it. */
export interface SupervisedStream {
  readonly spec: StreamSpec;
  readonly observed: ObservedState;
  readonly desired: DesiredState;
  /** The index into the pipeline's `inputs` that runs (or will run) now. */
  readonly activeInput: number;
  status(): StreamStatus;
  /** The current run first, then finished runs, newest first. */
  runs(): readonly RunRecord[];
  /** The fast layer's recent automatic restart times, oldest first (the shared restart budget). */
  recentRestarts(): readonly number[];
  /**
   * Restarts now. `watchdog`: the watchdog's fix for an unhealthy stream, counted like a crash in
   * the restart budget (backoff, then crashloop once spent) and as `watchdog` in the restart
   * counters (restart-reason.ts); `request` (API, config): immediate, outside the budget.
   */
  restart(origin?: RestartOrigin): void;
  /** `origin` 'watchdog': the watchdog's failover or ladder (counted as `watchdog`, outside the budget). */
  switchInput(index: number, origin?: RestartOrigin): void;
  delegateCrashloopRetries(on: boolean): void;
  setHealthSource(source: HealthSource | undefined): void;
  refreshHealth(): void;
}
