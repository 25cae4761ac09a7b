/**
 * Configuration, state and decision types of the recovery policy (recovery-policy.ts).
 */
import type { Health } from '../health.js';
import type { ObservedState } from '../lifecycle.js';
import type { RecoveryAction, StreamSpec } from '../stream-spec.js';
import type { TakenAction } from './recovery-record.js';

export interface RecoveryPolicyConfig {
  /** The stream's `onUnhealthy`, tried in order. */
  readonly ladder: readonly RecoveryAction[];
  /** Least time between two watchdog fixes (restart, drop-publisher, next-input). @default 60 s */
  readonly cooldownMs: number;
  /**
   * How long after a rung the stream gets to recover before the next rung is tried.
   * @default restart and next-input: the stream's start timeout (30 s); drop-publisher: 30 s; notify: 0
   */
  readonly settleMs: Readonly<Record<RecoveryAction, number>>;
  /** Judgement is suppressed this long after an intentional restart. @default 30 s */
  readonly intentionalGraceMs: number;
  /** Shared by both layers: automatic restarts allowed within the window (the stream's restart budget). */
  readonly budget: { readonly restarts: number; readonly withinMs: number };
  /** Restart cadence once the budget is spent or the fast layer is in crashloop. @default the backoff cap, 60 s */
  readonly slowRetryMs: number;
}

export const DEFAULT_COOLDOWN_MS = 60_000;
export const DEFAULT_INTENTIONAL_GRACE_MS = 30_000;
export const DEFAULT_SETTLE_MS: Readonly<Record<RecoveryAction, number>> = {
  restart: 30_000,
  'drop-publisher': 30_000,
  'next-input': 30_000,
  notify: 0,
};
/** Actions kept per episode: a stream unhealthy for days cycles the ladder without end. */
export const MAX_EPISODE_ACTIONS = 50;

export function recoveryConfigFromSpec(spec: StreamSpec, overrides: Partial<RecoveryPolicyConfig> = {}): RecoveryPolicyConfig {
  const startSettle = Math.max(DEFAULT_SETTLE_MS.restart, spec.startTimeoutMs);
  return {
    ladder: spec.onUnhealthy,
    cooldownMs: DEFAULT_COOLDOWN_MS,
    settleMs: { ...DEFAULT_SETTLE_MS, restart: startSettle, 'next-input': startSettle },
    intentionalGraceMs: Math.max(DEFAULT_INTENTIONAL_GRACE_MS, spec.startTimeoutMs),
    budget: spec.restart.budget,
    slowRetryMs: spec.restart.backoffMaxMs,
    ...overrides,
  };
}

/** One stretch of unhealthiness the watchdog worked on, from detection to recovery. */
export interface Episode {
  readonly startedAt: number;
  /** Oldest first; at most MAX_EPISODE_ACTIONS kept. */
  readonly actions: readonly TakenAction[];
}

export interface RecoveryState {
  /** Index into the ladder of the next rung to try; `ladder.length` once every rung was tried. */
  readonly rung: number;
  /** Times the ladder started over within the current episode. */
  readonly cycles: number;
  readonly episode?: Episode;
  /** Last watchdog fix (any episode): the cooldown runs from here. */
  readonly lastFixAt?: number;
  /** Watchdog restarts inside the budget window (the fast layer keeps its own). */
  readonly watchdogRestarts: readonly number[];
  /** No judgement before this time (intentional restart). */
  readonly suppressedUntil?: number;
  /** Set while the fast layer is in crashloop and the watchdog has taken over. */
  readonly crashloopSince?: number;
  /** For the watchdog status API. */
  readonly lastHealthyAt?: number;
  readonly recoveryCount: number;
}

export const INITIAL_RECOVERY_STATE: RecoveryState = { rung: 0, cycles: 0, watchdogRestarts: [], recoveryCount: 0 };

export interface RecoveryInput {
  readonly now: number;
  /** The stream's health (stream-health.ts). */
  readonly health: Health;
  /** The fast layer's state. */
  readonly observed: ObservedState;
  /** The fast layer's recent automatic restart times (`LifecycleState.restart.recentRestarts`). */
  readonly fastRestarts: readonly number[];
  /** One line on what is wrong, for reasons (the health report's `reason`). */
  readonly summary?: string;
  /** When the stream was judged unhealthy (the health report's `unhealthySince`): the episode's start. */
  readonly unhealthySince?: number;
  /** When its failing checks began to fail (the health report's `failingSince`), for "unhealthy for N s". */
  readonly failingSince?: number;
}

export interface WatchdogAction {
  readonly type: RecoveryAction;
  readonly reason: string;
}

/** An episode that ended with the stream healthy again, after the watchdog acted. */
export interface RecoveredEpisode extends Episode {
  readonly recoveredAt: number;
}

export interface RecoveryDecision {
  /** In order; empty when nothing is to be done now. */
  readonly actions: readonly WatchdogAction[];
  /** Why: what was done, or what is being waited for. */
  readonly reason: string;
  readonly state: RecoveryState;
  /** Set on the decision that saw the stream healthy again after watchdog actions. */
  readonly recovered?: RecoveredEpisode;
}

/** Intentional restarts; `api` and `config` also reset the ladder (an operator took over). */
export type IntentionalRestart = 'api' | 'config' | 'input-switch';
