/**
 * The vocabulary of the stream lifecycle (lifecycle.ts): its states, events, effects, the
 * finished-run report and the machine's config. Kept apart so the machine itself reads as rules.
 */
import type { RestartHistory } from './restart-policy.js';
import type { DesiredState, RestartPolicy, StopPolicy } from './stream-spec.js';

export type ObservedState = 'stopped' | 'starting' | 'running' | 'backoff' | 'stopping' | 'crashloop';

export const OBSERVED_STATES: readonly ObservedState[] = [
  'stopped',
  'starting',
  'running',
  'backoff',
  'stopping',
  'crashloop',
];

/** Why a run ended. A fixed list: it is used as a metric label. */
export type ExitReason =
  /** Ended after we asked it to stop (exit 255 after SIGINT is clean for ffmpeg). */
  | 'stopped'
  /** Ended after a restart was requested (API, config change, input switch, or the watchdog's counted restart). */
  | 'restarted'
  /** Exited by itself with a code, after it had made progress. */
  | 'exited'
  /** Killed by a signal that we did not send. */
  | 'killed'
  /** Never got going: binary missing, bad arguments, input unreachable, exited before progress. */
  | 'failed-to-start'
  /** We killed it: no advancing progress within the start timeout. */
  | 'start-timeout'
  /** We killed it: progress stopped advancing while running. */
  | 'stalled';

export const EXIT_REASONS: readonly ExitReason[] = [
  'stopped',
  'restarted',
  'exited',
  'killed',
  'failed-to-start',
  'start-timeout',
  'stalled',
];

export interface ProcessEnd {
  readonly code: number | null;
  readonly signal: string | null;
  /** Set when the process could not be spawned at all. */
  readonly spawnError?: { readonly code: string; readonly message: string };
}

export type LifecycleEvent =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  /**
   * Restart now. `counted`: a recovery restart (the watchdog's fix for an unhealthy stream) that
   * goes through the restart policy like a crash: it spends the restart budget, backs off, and
   * leads to `crashloop` once the budget is spent (uncured-restarts.ts) — restarts that do not
   * cure a fault escalate.
   * Otherwise (API, config change, input switch) it is immediate and outside the budget.
   */
  | { readonly type: 'restart'; readonly counted?: boolean }
  /** Progress counters advanced (the supervisor filters out blocks that did not advance). */
  | { readonly type: 'progress' }
  | { readonly type: 'start-timeout' }
  | { readonly type: 'stall-timeout' }
  | { readonly type: 'backoff-elapsed' }
  /** The grace period after a stop signal ran out: send the next, harsher one. */
  | { readonly type: 'kill-escalate' }
  | { readonly type: 'exited'; readonly end: ProcessEnd }
  /**
   * A process a previous daemon started was re-attached (validated by the runner) and is
   * supervised from now on: it counts as running since `since` (when it was started) and is
   * watched for stalls at once. Legal only while stopped (nothing of ours runs).
   */
  | { readonly type: 'adopted'; readonly since: number };

export type LifecycleEventType = LifecycleEvent['type'];

export type TimerName = 'start' | 'stall' | 'backoff' | 'kill';
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

export interface RunEnded {
  readonly reason: ExitReason;
  readonly end: ProcessEnd;
  /** What follows: the next observed state, and the delay when it is a (crash-loop) backoff. */
  readonly next: ObservedState;
  readonly restartDelayMs?: number;
  /** Automatic restarts in the budget window when the policy was consulted. */
  readonly restartsInWindow?: number;
  /** True when the policy counted this as an automatic restart. */
  readonly countsAsRestart: boolean;
}

export type Effect =
  | { readonly type: 'spawn' }
  | { readonly type: 'signal'; readonly signal: StopSignal }
  | { readonly type: 'set-timer'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'clear-timer'; readonly timer: TimerName }
  | { readonly type: 'run-ended'; readonly run: RunEnded };

/** Why the process is being stopped; decides what happens once it has exited. `recovery`: a counted restart. */
export type KillReason = 'stopped' | 'restarted' | 'recovery' | 'stalled' | 'start-timeout';

export interface LifecycleState {
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  /** Set while `stopping`. */
  readonly killReason?: KillReason;
  /** Signals sent so far while stopping: 1 = SIGINT, 2 = SIGTERM, 3 = SIGKILL. */
  readonly signalsSent: number;
  /** When the current run first made progress. */
  readonly runningSince?: number;
  /** Whether the current run has made progress at all (tells "failed to start" from "died later"). */
  readonly madeProgress: boolean;
  readonly restart: RestartHistory;
}

export interface LifecycleConfig {
  readonly restart: RestartPolicy;
  readonly stop: StopPolicy;
  readonly startTimeoutMs: number;
  readonly stallTimeoutMs: number;
}

export interface TransitionContext {
  readonly now: number;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random: number;
  /** Crash-loop retries are the watchdog's: the machine arms only a late backstop retry. */
  readonly crashloopDelegated?: boolean;
}

export interface TransitionResult {
  readonly state: LifecycleState;
  readonly effects: readonly Effect[];
}
