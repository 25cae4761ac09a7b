/**
 * The runtime registry as the supervisor sees it: what a later daemon needs to re-attach to the
 * processes this one started. The daemon implements it over the store (putRuntime /
 * clearRuntime); calls are fire-and-forget — persisting, and any error doing so, are the
 * implementation's concern, never the supervisor's.
 */
import type { ExitReason } from '../domain/lifecycle.js';
import type { RuntimeIdentity } from './process-runner.js';

export interface RunStartedEntry {
  readonly stream: string;
  readonly runId: number;
  readonly identity: RuntimeIdentity;
  /** specHash(spec) of the spec the process was started from. */
  readonly specHash: string;
  readonly startedAt: number;
}

/** How a run ended, for the runs history (lines already redacted). */
export interface RunOutcome {
  readonly endedAt: number;
  /** An exit reason, or `lost` for a stored run whose process proved gone at adoption. */
  readonly reason: ExitReason | 'lost';
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly lastError?: string;
  readonly firstLines: readonly string[];
  readonly lastLines: readonly string[];
}

export interface RunRegistry {
  /** A process was spawned (only for runners whose handles can `describe` themselves). */
  runStarted(entry: RunStartedEntry): void;
  /**
   * The run with this pid is over (its exit was judged), or an adopted entry proved gone (a lost
   * run). Clear the entry only if it still holds `pid` (a newer run may have replaced it).
   */
  runEnded(stream: string, pid: number | undefined, outcome: RunOutcome): void;
}
