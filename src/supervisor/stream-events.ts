/** The events a supervised stream emits; the API, metrics, store and notifiers listen to these. */
import type { ExitReason, ObservedState } from '../domain/lifecycle.js';
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
  readonly at: number;
}

export interface StreamEventMap {
  state: StateChanged;
  'run-started': RunStarted;
  'run-finished': RunFinished;
}
