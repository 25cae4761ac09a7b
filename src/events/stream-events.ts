/** The events a supervised stream emits; the API, metrics, store and notifiers listen to these. */
import type { Health } from '../domain/health.js';
import type { ExitReason, ObservedState } from '../domain/lifecycle.js';
import type { ProgressSnapshot } from '../domain/progress-tracker.js';
import type { DesiredState } from '../domain/stream-spec.js';

export interface StateChanged {
  readonly streamId: string;
  readonly from: ObservedState;
  readonly to: ObservedState;
  readonly desired: DesiredState;
  readonly at: number;
}

export interface RunStarted {
  readonly streamId: string;
  readonly runId: number;
  readonly pid: number | undefined;
  /** The argv with secrets masked. */
  readonly command: readonly string[];
  readonly at: number;
}

/**
 * A run a previous daemon started was re-attached (adopted) at boot. Not a `run-started`: the
 * process did not start now; its run id and start time are the stored ones.
 */
export interface RunAdopted {
  readonly streamId: string;
  readonly runId: number;
  readonly pid: number;
  /** When the process was started (by the previous daemon). */
  readonly startedAt: number;
  /** Pipes that could not be reopened: that output is lost for this run. */
  readonly missingPipes: readonly ('progress' | 'stderr')[];
  readonly at: number;
}

export interface RunFinished {
  readonly streamId: string;
  readonly runId: number;
  readonly pid: number | undefined;
  readonly reason: ExitReason;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly lastError: string | undefined;
  readonly durationMs: number;
  readonly next: ObservedState;
  readonly restartDelayMs: number | undefined;
  readonly restartsInWindow: number | undefined;
  /** True when the restart policy restarts the stream on its own (a recovery), false for a stop or a requested restart. */
  readonly countsAsRestart: boolean;
  /** The run's last progress snapshot, so totals include what it produced after the last scrape. */
  readonly progress: ProgressSnapshot | undefined;
  readonly at: number;
}

/** The stream's health changed: judged by the watchdog (its checks) when one runs, else by the lifecycle state. */
export interface HealthChanged {
  readonly streamId: string;
  readonly from: Health;
  readonly to: Health;
  readonly state: ObservedState;
  /** Why, in one line (e.g. "output: Input/output error"); may name URLs, so redact before showing. */
  readonly reason: string;
  readonly at: number;
}

export interface StreamEventMap {
  state: StateChanged;
  'run-started': RunStarted;
  'run-adopted': RunAdopted;
  'run-finished': RunFinished;
  health: HealthChanged;
}

/** A user intent a watchdog must know of: a restart someone asked for is not a failure to judge. */
export type StreamIntent = 'start' | 'stop' | 'restart';

/**
 * Changes to the set of streams and user intents (config, API, controller), from the Supervisor.
 * The watchdog follows these to give each stream its own watchdog.
 */
export interface SupervisorChangeMap {
  /** A stream was added (and started when wanted running). */
  added: { readonly streamId: string };
  /** A stream's spec was replaced (it was stopped, swapped and started again when wanted). */
  updated: { readonly streamId: string };
  /** A stream was stopped and forgotten. */
  removed: { readonly streamId: string };
  /** Someone asked to start, stop or restart a stream. */
  intent: { readonly streamId: string; readonly intent: StreamIntent };
}
