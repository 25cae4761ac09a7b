/**
 * One engine's health, judged from its poll outcomes. Pure: every outcome carries its time.
 *
 *                 first success (or M)                N counted failures
 *   ┌─────────┐ ───────────────────────▶ ┌─────────┐ ─────────────────▶ ┌───────────┐
 *   │ unknown │                          │ healthy │                    │ unhealthy │
 *   └─────────┘ ◀── (reset: re-added) ── └─────────┘ ◀── M successes ── └───────────┘
 *        │  answered with a body we cannot parse  ▲ M successes
 *        └──────────────────────────────▶ ┌──────────┐ ──┘
 *          (from any status)              │ degraded │ ── N counted failures ──▶ unhealthy
 *                                         └──────────┘ ── G unparsable answers in a row ──▶ unhealthy
 *
 * - A failure (refused, timeout, HTTP error, the engine's own `error`) counts toward N; during
 *   the start grace (`graceUntil`) failures are recorded but not counted, so a container still
 *   booting is `unknown`, not `unhealthy`.
 * - An unparsable body means the engine answered: it is `degraded` at once (never handed out,
 *   never counted as a failure), and the failure streak is broken. An engine that answers
 *   nothing but garbage is not degraded forever: G (`unparsableThreshold`) unparsable answers in a
 *   row make it `unhealthy` (with the defaults, 3 polls: about 60 s after the first garbage at
 *   the 30 s poll interval). Grace does not apply: an answer is not a container still booting.
 * - From `unknown` the first success is enough (there is no flapping history to distrust); from
 *   `unhealthy` or `degraded`, M consecutive successes are needed (flap damping).
 * - `healthy` and `degraded` engines that fail fewer than N times keep their status; the error is
 *   still recorded in `lastError`.
 */

export type EngineHealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';
export const ENGINE_HEALTH_STATUSES: readonly EngineHealthStatus[] = ['healthy', 'degraded', 'unhealthy', 'unknown'];

export interface EngineHealthConfig {
  /** N: consecutive counted failures that make an engine unhealthy. @default 2 */
  readonly failureThreshold: number;
  /** M: consecutive successes that bring an unhealthy / degraded engine back. @default 2 */
  readonly successThreshold: number;
  /** Failures in the first `graceMs` after an engine is added are not counted. @default 60 s */
  readonly graceMs: number;
  /** G: consecutive unparsable answers that make a (degraded) engine unhealthy. @default 3 */
  readonly unparsableThreshold: number;
}

export const DEFAULT_ENGINE_HEALTH: EngineHealthConfig = { failureThreshold: 2, successThreshold: 2, graceMs: 60_000, unparsableThreshold: 3 };

/** What one poll found. */
export type PollOutcome =
  | { readonly kind: 'ok'; readonly at: number; readonly durationMs: number; readonly message: string }
  | { readonly kind: 'failed'; readonly at: number; readonly durationMs: number; readonly message: string }
  | { readonly kind: 'unparsable'; readonly at: number; readonly durationMs: number; readonly message: string };

export interface EngineHealthState {
  readonly status: EngineHealthStatus;
  readonly since: number;
  readonly graceUntil: number;
  readonly lastCheckAt?: number;
  readonly lastDurationMs?: number;
  /** The last failure or unparsable answer; kept after recovery for operators (see `lastOk`). */
  readonly lastError?: string;
  readonly lastErrorAt?: number;
  readonly lastOk?: boolean;
  readonly consecutiveFailures: number;
  readonly countedFailures: number;
  readonly consecutiveSuccesses: number;
  /** Unparsable answers in a row (any other outcome resets it). */
  readonly consecutiveUnparsable: number;
}

export interface EngineHealthTransition {
  readonly from: EngineHealthStatus;
  readonly to: EngineHealthStatus;
  readonly at: number;
  readonly reason: string;
}

export interface EngineHealthUpdate {
  readonly state: EngineHealthState;
  readonly transition?: EngineHealthTransition;
}

export function createEngineHealth(config: EngineHealthConfig, now: number): EngineHealthState {
  return { status: 'unknown', since: now, graceUntil: now + Math.max(0, config.graceMs), consecutiveFailures: 0, countedFailures: 0, consecutiveSuccesses: 0, consecutiveUnparsable: 0 };
}

export function recordPoll(config: EngineHealthConfig, state: EngineHealthState, outcome: PollOutcome): EngineHealthUpdate {
  // A clock that steps back must not reorder history.
  const at = Math.max(outcome.at, state.lastCheckAt ?? outcome.at);
  const base = { ...state, lastCheckAt: at, lastDurationMs: outcome.durationMs };
  const failureThreshold = Math.max(1, config.failureThreshold);
  const successThreshold = Math.max(1, config.successThreshold);

  if (outcome.kind === 'ok') {
    const successes = state.consecutiveSuccesses + 1;
    const next: EngineHealthState = { ...base, lastOk: true, consecutiveSuccesses: successes, consecutiveFailures: 0, countedFailures: 0, consecutiveUnparsable: 0 };
    if (state.status === 'healthy') return { state: next };
    if (state.status === 'unknown') return change(next, 'healthy', at, 'first successful poll');
    if (successes < successThreshold) return { state: next };
    return change(next, 'healthy', at, `${successes} consecutive successful polls`);
  }

  if (outcome.kind === 'unparsable') {
    const garbage = state.consecutiveUnparsable + 1;
    const next: EngineHealthState = {
      ...base,
      lastOk: false,
      lastError: outcome.message,
      lastErrorAt: at,
      consecutiveSuccesses: 0,
      consecutiveFailures: 0,
      countedFailures: 0,
      consecutiveUnparsable: garbage,
    };
    if (garbage >= Math.max(1, config.unparsableThreshold)) {
      if (state.status === 'unhealthy') return { state: next };
      return change(next, 'unhealthy', at, `${garbage} unparsable answers in a row: ${outcome.message}`);
    }
    if (state.status === 'degraded') return { state: next };
    return change(next, 'degraded', at, `unparsable answer: ${outcome.message}`);
  }

  const counted = at >= state.graceUntil ? state.countedFailures + 1 : state.countedFailures;
  const next: EngineHealthState = {
    ...base,
    lastOk: false,
    lastError: outcome.message,
    lastErrorAt: at,
    consecutiveSuccesses: 0,
    consecutiveFailures: state.consecutiveFailures + 1,
    countedFailures: counted,
    consecutiveUnparsable: 0,
  };
  if (state.status !== 'unhealthy' && counted >= failureThreshold) {
    return change(next, 'unhealthy', at, `${counted} consecutive failed poll${counted === 1 ? '' : 's'}: ${outcome.message}`);
  }
  return { state: next };
}

function change(state: EngineHealthState, to: EngineHealthStatus, at: number, reason: string): EngineHealthUpdate {
  return { state: { ...state, status: to, since: at }, transition: { from: state.status, to, at, reason } };
}
