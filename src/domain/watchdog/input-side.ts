/**
 * An input-side failure reaches the recovery ladder whatever the fast layer is doing. When the
 * publisher of the stream's input freezes, the relay stalls, restarts, times out on start and
 * ends in crash loop: `decideRecovery` alone would leave a stream that is starting or in backoff
 * to the fast layer, and give a crash loop only slow retries — the stale publisher upstream is
 * never dropped. Restarting cannot fix an input, but `drop-publisher` and `next-input` can.
 *
 * While a check that probes the active input is failing and the process is starting, in backoff
 * or in crash loop, the ladder runs on that failure without its `restart` rungs (the fast layer
 * is restarting already, and its restarts neither delay the ladder nor settle anything for it).
 * A crash loop still gets its slow retry whenever the ladder has nothing to do. Only ladders with
 * `drop-publisher` or `next-input` take this path; every other decision is `decideRecovery`'s.
 *
 * Pure.
 */
import type { ObservedState } from '../lifecycle.js';
import type { CheckState } from './check-state.js';
import { decideRecovery, type RecoveryDecision, type RecoveryInput, type RecoveryPolicyConfig, type RecoveryState } from './recovery-policy.js';

/** A failing check of the active input: what the ladder is told, and since when. */
export interface InputSideFailure {
  readonly summary: string;
  readonly since?: number;
}

const NOT_RUNNING: ReadonlySet<ObservedState> = new Set(['starting', 'backoff', 'crashloop']);

/** The failure of the acting checks that probe the active input, if any is failing. */
export function inputSideFailure(checks: readonly { readonly state: CheckState; readonly probesActiveInput: boolean }[]): InputSideFailure | undefined {
  const failing = checks.filter((check) => check.probesActiveInput && !check.state.config.informational && check.state.status === 'failing').map((check) => check.state);
  if (failing.length === 0) return undefined;
  const since = failing.map((state) => state.failingSince).filter((at): at is number => at !== undefined);
  const summary = `input check failing: ${failing.map((state) => `${state.config.name}: ${state.lastMessage ?? 'no message'}`).join('; ')}`;
  return { summary, ...(since.length > 0 && { since: Math.min(...since) }) };
}

export function decideWithInputSide(config: RecoveryPolicyConfig, state: RecoveryState, input: RecoveryInput, failure: InputSideFailure | undefined): RecoveryDecision {
  if (failure === undefined || !NOT_RUNNING.has(input.observed)) return decideRecovery(config, state, input);
  // The rungs kept (indices into the full ladder), and the mapping of the rung both ways.
  const kept = config.ladder.flatMap((action, index) => (action === 'restart' ? [] : [index]));
  const ladder = kept.map((index) => config.ladder[index] ?? 'notify');
  if (!ladder.some((action) => action === 'drop-publisher' || action === 'next-input')) return decideRecovery(config, state, input);
  const toKept = (rung: number): number => kept.filter((index) => index < rung).length;
  const toFull = (rung: number): number => kept[rung] ?? config.ladder.length;

  const decision = decideRecovery({ ...config, ladder }, { ...state, rung: toKept(state.rung) }, {
    ...input,
    observed: 'running',
    health: 'unhealthy',
    fastRestarts: [],
    summary: input.summary === undefined ? failure.summary : `${failure.summary} (${input.summary})`,
    ...(failure.since !== undefined && { unhealthySince: failure.since }),
  });
  const next: RecoveryState = { ...decision.state, rung: toFull(decision.state.rung), crashloopSince: state.crashloopSince };
  if (decision.actions.length === 0 && input.observed === 'crashloop') return decideRecovery(config, next, input);
  return { ...decision, state: next };
}
